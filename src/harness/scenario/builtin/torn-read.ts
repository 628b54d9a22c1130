import { defineScenario } from "../parseScenario.ts";

/** Torn read: the loop reads a user message whose parts are still being written and answers the empty shell. */
export default defineScenario({
  name: "torn-read",
  description: "a multi-part prompt_async is read by a running loop between its info write and its part writes",
  sessions: ["s1"],
  clients: [
    { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["hello"] }] },
    { name: "b", actions: [{ kind: "prompt_async", session: "s1", parts: ["part one", "part two", "part three"] }] },
  ],
});
