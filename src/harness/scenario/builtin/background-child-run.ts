import { defineScenario } from "../parseScenario.ts";

/**
 * Seed 001: `opencode run` with a background child. The main session starts a child with the
 * plugin's `delegate_task(run_in_background)` (child started with prompt_async; the plugin
 * injects the result and wakes the parent with prompt_async when the child goes idle) and
 * finishes its own turn first. The run must not exit (and dispose) before the child is done
 * and the parent has answered its result.
 */
export default defineScenario({
  name: "background-child-run",
  description: "run: main starts a background child (plugin style) and finishes first; run must wait for the child and the wake-up",
  sessions: ["main"],
  run: { session: "main", parts: ["research this in the background"] },
  llm: {
    main: [
      { toolCalls: [{ tool: "task", child: { session: "c1", parts: ["dig into it"], background: "plugin" } }] },
      { text: "started a background task" },
      { text: "the background task found it" },
    ],
    c1: [{ text: "findings" }],
  },
});
