import type { Invariant } from "./Invariant.ts";

/** Every run has a step limit; a run that hits it is reported, never left spinning. */
export const livelock: Invariant = {
  name: "livelock",
  description: "the run settles within the step limit",
  liveness: false,
  check(_trace, end) {
    if (!end.limitHit) return [];
    return [
      {
        invariant: "livelock",
        step: end.steps,
        message: `the run did not settle within ${end.maxSteps} steps${end.stepScale ? ` (--max-steps ${end.maxSteps / end.stepScale} x ${end.stepScale}: this runner makes ${end.stepScale} points where a plain runner makes one)` : ""} (a livelock or an unbounded loop); if the scenario really needs more, raise --max-steps`,
      },
    ];
  },
};
