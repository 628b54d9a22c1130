import { defineScenario } from "../parseScenario.ts";

/** A prompt_async lands while the session is busy with a tool-calling turn; it joins the run. */
export default defineScenario({
  name: "busy-prompt-async",
  description: "a prompt_async arrives while the session is busy with a multi-step turn",
  sessions: ["s1"],
  llm: { s1: [{ toolCalls: [{ tool: "bash", input: "ls" }] }, { text: "listed" }, { text: "noted" }] },
  clients: [
    { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["list the files"] }] },
    { name: "b", actions: [{ kind: "prompt_async", session: "s1", parts: ["also check the tests"] }] },
  ],
});
