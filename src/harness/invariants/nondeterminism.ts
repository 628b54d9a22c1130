import type { Invariant } from "./Invariant.ts";

/**
 * The code under test stays inside racelab's control: no real timer (a real `setTimeout`,
 * `setInterval` or `setImmediate` fires on the wall clock, outside every schedule, so what it
 * does is neither explored nor replayable). A run that calls one ends at that step.
 */
export const nondeterminism: Invariant = {
  name: "nondeterminism",
  description: "the code under test uses no uncontrolled source (real timers): time is the run's virtual clock",
  liveness: false,
  check(trace) {
    const e = trace.find((x) => x.type === "uncontrolled");
    if (!e || e.type !== "uncontrolled") return [];
    return [
      {
        invariant: "nondeterminism",
        step: e.step,
        message: `the code under test called a real ${e.api} (${e.call}) at step ${e.step}: it would fire on the wall clock, outside racelab's schedules, so the run was stopped there; use the port's timers (port.timers), or Effect's Clock (Effect.sleep), which racelab runs on virtual time`,
      },
    ];
  },
};
