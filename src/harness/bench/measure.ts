import fc from "fast-check";
import { ScenariosMap } from "../scenario/builtin/index.ts";
import { fastCheckScheduler } from "../../boundaries/adapters/fastCheckScheduler.ts";
import { runWorld } from "../../boundaries/adapters/runWorld.ts";
import { explore } from "../explore/explore.ts";
import { shrinkFailure } from "../explore/shrink.ts";
import { ObserversMap } from "../../subjects/observers/index.ts";
import type { RunObserver } from "../../subjects/observers/RunObserver.ts";
import type { RunnerVariant } from "../../boundaries/port.ts";
import type { WorldOptions } from "../scenario/createWorld.ts";
import { resolveInvariants } from "../resolve.ts";
import { RunnersMap } from "../../subjects/runner/variants/index.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { Strategy, StrategyFactory } from "../scheduler/strategies/Strategy.ts";
import { StrategiesMap } from "../scheduler/strategies/index.ts";
import { replayOnFloor } from "./bareReplay.ts";

/** Wall-clock milliseconds of `fn` (benchmarks only; never inside a simulated run). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** What one contender spent on a set of schedules. */
export interface Spent {
  readonly ms: number;
  readonly schedules: number;
  /** Scheduling points released, over all the schedules. */
  readonly steps: number;
}

/** The schedules racelab's explorer ran: each one's released labels, and whether it ended at rest. */
export interface Recorded {
  readonly choices: readonly (readonly string[])[];
  readonly atRest: readonly boolean[];
  readonly traceHash: string;
}

/** racelab's explorer on one scenario, as the bench times it: random strategy, seed 1, 16 at a time. */
function exploreRandom(scenario: Scenario, runner: RunnerVariant, strategy: Strategy, runs: number) {
  return explore({ scenario, runner, strategy, invariants: resolveInvariants(scenario), runs, maxSteps: 1000, keepGoing: true, concurrency: 16 });
}

/**
 * Runs the exploration the bench times once, untimed, and records what each schedule released
 * (wrapping the strategy's choosers), for the bare replay to run the very same schedules.
 */
export async function recordSchedules(scenario: Scenario, runner: RunnerVariant, runs: number): Promise<Recorded> {
  const inner = StrategiesMap.random({ seed: 1 });
  const choices: string[][] = [];
  const atRest: boolean[] = [];
  const recording: Strategy = {
    name: inner.name,
    independent: inner.independent,
    next(run) {
      const chooser = inner.next(run);
      if (!chooser) return undefined;
      const labels: string[] = [];
      choices[run] = labels;
      return {
        choose(ready, step) {
          const index = chooser.choose(ready, step);
          if (index >= 0) labels.push(ready[index]!.label);
          return index;
        },
        finish(steps, rest) {
          atRest[run] = rest;
          chooser.finish?.(steps, rest);
        },
      };
    },
  };
  const result = await exploreRandom(scenario, runner, recording, runs);
  return { choices, atRest, traceHash: result.traceHash };
}

/** racelab's explorer on one scenario: random strategy, seed 1 (the schedules {@link recordSchedules} records). */
export async function racelabSpent(scenario: Scenario, runner: RunnerVariant, runs: number): Promise<Spent & { traceHash: string }> {
  const { value, ms } = await timed(() => exploreRandom(scenario, runner, StrategiesMap.random({ seed: 1 }), runs));
  return { ms, schedules: value.schedulesRun, steps: Math.round(value.stats.steps.avg * value.schedulesRun), traceHash: value.traceHash };
}

/** The same runner driven by fast-check's fc.scheduler() through the port, with racelab's trace and invariants. */
export async function fastCheckSpent(scenario: Scenario, runner: RunnerVariant, runs: number): Promise<Spent> {
  const invariants = resolveInvariants(scenario);
  let steps = 0;
  const { ms } = await timed(() =>
    fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        steps += (await runWorld(scenario, runner, invariants, fastCheckScheduler(s))).steps;
      }),
      { seed: 1, numRuns: runs },
    ),
  );
  return { ms, schedules: runs, steps };
}

/** The floor: the recorded schedules replayed on the bare {@link FloorScheduler}, 16 at a time as racelab runs them. */
export async function bareReplaySpent(scenario: Scenario, runner: RunnerVariant, recorded: Recorded): Promise<Spent & { diverged: number }> {
  const { value, ms } = await timed(() => replayOnFloor(scenario, runner, recorded.choices, recorded.atRest, 16));
  return { ms, schedules: value.schedules, steps: value.steps, diverged: value.diverged };
}

/** Schedules and milliseconds to the first violation, or undefined if none within `budget`. */
export async function firstViolation(scenario: Scenario, runner: RunnerVariant, strategy: StrategyFactory, seed: number, budget: number, world: WorldOptions = {}) {
  const { value, ms } = await timed(() =>
    explore({ scenario, runner, strategy: strategy({ seed }), invariants: resolveInvariants(scenario), runs: budget, maxSteps: 1000, keepGoing: false, concurrency: 16, world }),
  );
  const failure = value.failures[0];
  return failure ? { schedules: value.schedulesRun, ms, failure } : undefined;
}

/** The shrunk size of a failure found by `firstViolation`. */
export async function shrunkSize(scenario: Scenario, runner: RunnerVariant, choices: readonly string[], primary: string, world: WorldOptions = {}) {
  const shrunk = await shrinkFailure({ scenario, runner, invariants: resolveInvariants(scenario), primary, maxSteps: 1000, choices, world });
  return shrunk.shrunk;
}

/** The seeded bugs: every scenario x buggy runner/observer pair that must fail. */
export function seededBugs(): { scenario: Scenario; runner: RunnerVariant; observer?: RunObserver }[] {
  return [
    ...Object.values(ScenariosMap).map((scenario) => ({
      scenario,
      runner: RunnersMap.upstream as RunnerVariant,
      ...(scenario.run && { observer: ObserversMap["main-idle"] as RunObserver }),
    })),
    { scenario: ScenariosMap["idle-prompt-async"], runner: RunnersMap["pr-21528"] },
    { scenario: ScenariosMap["background-child-run"], runner: RunnersMap.upstream, observer: ObserversMap["busy-set"] },
  ];
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
