import { ReplayDivergence } from "../errors.ts";
import type { Violation } from "../invariants/Invariant.ts";
import { compareRuns } from "../invariants/nondeterminism.ts";
import { replayChooser } from "../scheduler/strategies/replay.ts";
import { runSchedule, type ScheduleResult, type ScheduleSpec } from "./runSchedule.ts";

/**
 * The determinism self-check (as madsim does it): run a schedule once more, strictly, with
 * the same choices and seed, and compare. Returns the `nondeterminism` violation that says
 * where the two runs first differ, or undefined when they are the same run.
 */
export async function runAgainStrictly(spec: Omit<ScheduleSpec, "chooser">, first: ScheduleResult, what: string): Promise<Violation | undefined> {
  try {
    const second = await runSchedule({ ...spec, chooser: replayChooser(first.choices) });
    return compareRuns(first, second, what);
  } catch (error) {
    if (!(error instanceof ReplayDivergence)) throw error;
    // The second run left the recorded schedule: it differs from the step it could not follow.
    const diverged = { choices: [...first.choices.slice(0, error.step - 1), "(another point)"], trace: first.trace, violations: first.violations };
    return compareRuns(first, diverged, what);
  }
}

/**
 * A failure that did not happen again where it had to (a shrinker's first run of it): the
 * `nondeterminism` finding, for a failure that would otherwise be "nothing to shrink".
 */
export function didNotRepeat(invariant: string, what: string, step: number): Violation {
  return {
    invariant: "nondeterminism",
    step,
    message: `${what} violated ${invariant}, but a later run of the same choices and seed did not: the code under test reads a source racelab does not control (an I/O result, a global it keeps between runs, a thread), so its verdicts cannot be trusted or replayed`,
  };
}
