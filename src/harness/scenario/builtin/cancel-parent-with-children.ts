import { defineScenario } from "../parseScenario.ts";

/**
 * Cancelling a parent with a background job child and a sync child. Upstream's cancel walks
 * one snapshot of the job list and interrupts the job fibers, which only await the child: the
 * background child runs on, and its job may still wake the cancelled parent. The sync child is
 * cancelled through the tool's abort signal, fire and forget.
 */
export default defineScenario({
  name: "cancel-parent-with-children",
  description: "cancel a parent while it has a background (job) child and a sync child: every descendant must stop",
  sessions: ["s1"],
  clients: [
    { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["fan out"] }] },
    { name: "b", actions: [{ kind: "cancel", session: "s1" }] },
  ],
  llm: {
    s1: [
      {
        toolCalls: [
          { tool: "task", child: { session: "c1", parts: ["background work"], background: "job" } },
          { tool: "task", child: { session: "c2", parts: ["sync work"] } },
        ],
      },
      { text: "all done" },
    ],
    c1: [{ text: "c1 result" }],
    c2: [{ text: "c2 result" }],
  },
});
