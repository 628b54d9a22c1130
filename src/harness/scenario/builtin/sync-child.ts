import { defineScenario } from "../parseScenario.ts";

/**
 * The sync task tool under `opencode run`: main's tool call creates child c1 and awaits its
 * run; c1's first step asks permission for a tool. Whoever owns c1 must answer: an observer
 * that answers only the main session's asks leaves c1, main's tool call and the run waiting.
 */
export default defineScenario({
  name: "sync-child",
  description: "run: main awaits a sync child whose tool asks permission; the run must answer it, finish and exit cleanly",
  sessions: ["main"],
  run: { session: "main", parts: ["delegate this"] },
  llm: {
    main: [{ toolCalls: [{ tool: "task", child: { session: "c1", parts: ["sub task"] } }] }, { text: "delegated and done" }],
    c1: [{ toolCalls: [{ tool: "bash", ask: true }] }, { text: "sub task done" }],
  },
});
