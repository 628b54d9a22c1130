import { defineScenario } from "../parseScenario.ts";

/**
 * W2/W3 (issue #28202): two prompt_async calls around the idle transition orphan a runner
 * and start two loops. It checks the structural invariants; lost messages are
 * idle-prompt-async's subject, and they would otherwise mask the orphaned runner here.
 */
export default defineScenario({
  name: "double-prompt-async",
  description: "two clients prompt_async the same session around its idle transition",
  sessions: ["s1"],
  invariants: [
    "one-loop-per-session",
    "runner-map-integrity",
    "one-reply-per-parent",
    "status-truthful",
    "waiters-resolved",
    "no-hang",
    "livelock",
    "runner-error",
  ],
  clients: [
    { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["start"] }] },
    { name: "b", actions: [{ kind: "prompt_async", session: "s1", parts: ["from b"] }] },
    { name: "c", actions: [{ kind: "prompt_async", session: "s1", parts: ["from c"] }] },
  ],
});
