import { defineScenario } from "../parseScenario.ts";

/**
 * A client cancels s1 while s1's sync task tool runs child c1. The interrupt ends s1's step at
 * once; the tool goes on (it cancels c1 and waits for c1's prompt to return), and when it
 * returns it completes its own part. Meanwhile the halt's cleanup waits up to 250 ms for it and
 * then errors the parts still tracked. Upstream's cleanup reads the part and writes `error`
 * whatever it read, and the late completion reads, writes and settles in three steps, so
 * either can overwrite the other (tool-part-states).
 */
export default defineScenario({
  name: "cancel-sync-child",
  description: "cancel a parent while its sync task tool runs a child: the dying run's cleanup and the tool's late result race for the tool part",
  sessions: ["s1"],
  llm: {
    s1: [{ toolCalls: [{ tool: "task", child: { session: "c1", parts: ["sub task"] } }] }, { text: "done" }],
    c1: [{ text: "sub task done" }],
  },
  clients: [
    { name: "a", actions: [{ kind: "prompt_async", session: "s1", parts: ["delegate"] }] },
    { name: "b", actions: [{ kind: "cancel", session: "s1" }] },
  ],
});
