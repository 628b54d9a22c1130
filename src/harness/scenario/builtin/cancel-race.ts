import { defineScenario } from "../parseScenario.ts";

/**
 * Lost cancel before start (issues #20095, #20250) and a second loop during an interrupted
 * run's unwinding: a client sends work then aborts it while another client sends more.
 */
export default defineScenario({
  name: "cancel-race",
  description: "prompt_async then cancel on one session while another client prompts it",
  sessions: ["s1"],
  llm: { s1: [{ toolCalls: [{ tool: "bash", input: "sleep 60" }] }, { text: "done" }, { text: "ok" }] },
  clients: [
    {
      name: "a",
      actions: [
        { kind: "prompt_async", session: "s1", parts: ["run the long job"] },
        { kind: "cancel", session: "s1" },
      ],
    },
    { name: "b", actions: [{ kind: "prompt_async", session: "s1", parts: ["then summarise"] }] },
  ],
});
