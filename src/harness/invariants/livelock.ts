import { describeRound, trailingCycle } from "../explain/cycle.ts";
import type { Evidence, Invariant } from "./Invariant.ts";

/**
 * Every run has a step limit; a run that hits it is reported, never left spinning. The
 * report names the loop the run ended in (see {@link trailingCycle}): the actor, one round of
 * its labels and the stretch of steps it repeated over, and the cause asks for the last write
 * by another actor of what the loop reads (what it keeps waiting to change).
 */
export const livelock: Invariant = {
  name: "livelock",
  description: "the run settles within the step limit",
  liveness: false,
  check(_trace, end) {
    if (!end.limitHit) return [];
    const scale = end.stepScale ? ` (--max-steps ${end.maxSteps / end.stepScale} x ${end.stepScale}: this runner makes ${end.stepScale} points where a plain runner makes one)` : "";
    const cycle = end.labels ? trailingCycle(end.labels) : undefined;
    const loop = cycle
      ? `: ${cycle.actor} repeats ${describeRound(cycle)} (${cycle.rounds} rounds, steps ${cycle.from}-${cycle.to}), a livelock or an unbounded loop`
      : end.labels
        ? `: no actor repeats a round of steps at its end (an unbounded loop)`
        : " (a livelock or an unbounded loop)";
    const evidence: Evidence[] = cycle
      ? [
          { step: cycle.from, what: `${cycle.actor} began repeating ${describeRound(cycle)}`, role: "loop", input: true },
          { step: cycle.to, what: `${cycle.actor} was still repeating it (${cycle.rounds} rounds)`, role: "loop" },
        ]
      : [];
    return [
      {
        invariant: "livelock",
        step: end.steps,
        message: `the run did not settle within ${end.maxSteps} steps${scale}${loop}; if the scenario really needs more, raise --max-steps`,
        ...(evidence.length > 0 && { evidence }),
      },
    ];
  },
};
