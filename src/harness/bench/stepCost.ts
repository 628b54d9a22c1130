import type { RunnerVariant } from "../../boundaries/port.ts";
import type { Scenario } from "../scenario/schema.ts";
import { bareReplaySpent, fastCheckSpent, racelabSpent, recordSchedules, type Spent } from "./measure.ts";

/** One contender's cost on one scenario: per step first, per schedule second. */
export interface Cost {
  readonly microsPerStep: number;
  readonly schedulesPerSecond: number;
  readonly stepsPerSchedule: number;
}

/** racelab, fast-check's scheduler and the bare replay of racelab's schedules, on one scenario. */
export interface StepCostRow {
  readonly scenario: string;
  readonly racelab: Cost;
  /** fc.scheduler() on the same runner: its own schedules, so only the per-step cost compares. */
  readonly fastCheck: Cost;
  /** The floor: the schedules racelab ran, replayed with nothing but a trivial scheduler (bareReplay.ts). */
  readonly bareReplay: Cost;
  /** racelab's µs per step over the bare replay's (target <= 1.5). */
  readonly vsBareReplay: number;
  /** fast-check's µs per step over racelab's: how many times faster racelab steps (target >= 3). */
  readonly fastCheckVsRacelab: number;
  /** The timed exploration ran the schedules recorded for the replay (same traceHash). */
  readonly sameSchedules: boolean;
  /** Recorded schedules the replay could not follow (a label not waiting, or not at rest at the end). */
  readonly diverged: number;
}

/** Budgets of the side-by-side step cost. */
export interface StepCostBudget {
  /** Schedules per round for racelab and for the bare replay. */
  readonly runs: number;
  /** fast-check runs per round (its schedules are slower). */
  readonly fastCheckRuns: number;
  /** Alternating rounds; each contender's best round counts, so a burst of load elsewhere hits none. */
  readonly rounds: number;
}

/**
 * Measures one scenario side by side: records the schedules racelab's explorer runs (random
 * strategy, seed 1), then alternates racelab exploring them, the bare replay of them and
 * fast-check's scheduler for `rounds` rounds.
 */
export async function stepCost(scenario: Scenario, runner: RunnerVariant, budget: StepCostBudget): Promise<StepCostRow> {
  const recorded = await recordSchedules(scenario, runner, budget.runs);
  const racelab: (Spent & { traceHash: string })[] = [];
  const bare: (Spent & { diverged: number })[] = [];
  const fastCheck: Spent[] = [];
  for (let round = 0; round < Math.max(1, budget.rounds); round++) {
    racelab.push(await racelabSpent(scenario, runner, budget.runs));
    bare.push(await bareReplaySpent(scenario, runner, recorded));
    fastCheck.push(await fastCheckSpent(scenario, runner, budget.fastCheckRuns));
  }
  const r = cost(best(racelab));
  const b = cost(best(bare));
  const f = cost(best(fastCheck));
  return {
    scenario: scenario.name,
    racelab: r,
    fastCheck: f,
    bareReplay: b,
    vsBareReplay: round(r.microsPerStep / b.microsPerStep),
    fastCheckVsRacelab: round(f.microsPerStep / r.microsPerStep),
    sameSchedules: racelab.every((x) => x.traceHash === recorded.traceHash),
    diverged: Math.max(...bare.map((x) => x.diverged)),
  };
}

/** The step-cost targets over every scenario: each holds for the worst one. */
export function stepCostTargets(rows: readonly StepCostRow[]) {
  const worstBare = Math.max(...rows.map((t) => t.vsBareReplay));
  const worstFc = Math.min(...rows.map((t) => t.fastCheckVsRacelab));
  return [
    { target: "racelab per step <= 1.5x the bare replay of the same schedules (worst scenario)", value: worstBare, met: worstBare <= 1.5 },
    { target: "racelab per step >= 3x faster than fast-check's scheduler on the same runner (worst scenario)", value: worstFc, met: worstFc >= 3 },
  ];
}

function best<T extends Spent>(xs: readonly T[]): T {
  return xs.reduce((a, x) => (x.ms / Math.max(1, x.steps) < a.ms / Math.max(1, a.steps) ? x : a));
}

function cost(s: Spent): Cost {
  return {
    microsPerStep: round((s.ms * 1000) / Math.max(1, s.steps), 3),
    schedulesPerSecond: Math.round((s.schedules / s.ms) * 1000),
    stepsPerSchedule: round(s.steps / Math.max(1, s.schedules)),
  };
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
