import { defineScenario } from "../parseScenario.ts";

/**
 * Upstream's background job (docs/design.md §5): the child runs in a job fiber; its result is
 * injected into the parent as a noReply message, then `resumeWhenIdle` checks "latest user
 * message is the injected one and the parent is idle" and calls `loop(parent)`, or sleeps
 * 300 ms (a virtual timer) and checks again. A second client prompts the parent meanwhile.
 * The child's result must reach the parent and be answered.
 */
export default defineScenario({
  name: "child-wake-parent",
  description: "a background job's result is injected into a busy parent and must be answered (resumeWhenIdle polls every 300 ms)",
  sessions: ["s1"],
  clients: [
    { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["start a background job"] }] },
    { name: "b", actions: [{ kind: "prompt_async", session: "s1", parts: ["and one more thing"] }] },
  ],
  llm: {
    s1: [{ toolCalls: [{ tool: "task", child: { session: "c1", parts: ["work"], background: "job" } }] }, { text: "started" }],
    c1: [{ text: "result" }],
  },
});
