import { defineScenario } from "../parseScenario.ts";

/**
 * Check, then act, after prompt_async: b sends only if s1 reads idle. The 204 of a's
 * prompt_async comes before its message is even written, and without busy-from-acceptance
 * s1 reads idle until its loop publishes busy; b's read in that gap says idle, and b sends a
 * second prompt into a session that already has an accepted one.
 */
export default defineScenario({
  name: "status-gap",
  description: "a prompt_async returns while the session still reads idle; a client that sends only if idle sends again",
  sessions: ["s1"],
  llm: { s1: [{ text: "on it" }, { text: "and the second one" }] },
  clients: [
    { name: "a", actions: [{ kind: "prompt_async", session: "s1", parts: ["do the thing"] }] },
    { name: "b", actions: [{ kind: "prompt_async", session: "s1", parts: ["do the thing, if nobody is on it"], ifStatus: "idle" }] },
  ],
});
