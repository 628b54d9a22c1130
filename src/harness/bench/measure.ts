import fc from "fast-check";
import { ScenariosMap } from "../scenario/builtin/index.ts";
import { bareScheduler } from "../../boundaries/adapters/bareScheduler.ts";
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
import type { StrategyFactory } from "../scheduler/strategies/Strategy.ts";

/** Wall-clock milliseconds of `fn` (benchmarks only; never inside a simulated run). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** Schedules per second of racelab's explorer on one scenario. */
export async function racelabThroughput(scenario: Scenario, runner: RunnerVariant, strategy: StrategyFactory, runs: number) {
  const { value, ms } = await timed(() =>
    explore({ scenario, runner, strategy: strategy({ seed: 1 }), invariants: resolveInvariants(scenario), runs, maxSteps: 1000, keepGoing: true, concurrency: 16 }),
  );
  return (value.schedulesRun / ms) * 1000;
}

/** Schedules per second of the same runner driven by fast-check's fc.scheduler() through the port. */
export async function fastCheckThroughput(scenario: Scenario, runner: RunnerVariant, runs: number) {
  const invariants = resolveInvariants(scenario);
  const { ms } = await timed(() =>
    fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        await runWorld(scenario, runner, invariants, fastCheckScheduler(s));
      }),
      { seed: 1, numRuns: runs },
    ),
  );
  return (runs / ms) * 1000;
}

/** Schedules per second of bare execution: every point resolves at once (one fixed order). */
export async function bareThroughput(scenario: Scenario, runner: RunnerVariant, runs: number) {
  const invariants = resolveInvariants(scenario);
  const { ms } = await timed(async () => {
    for (let i = 0; i < runs; i++) await runWorld(scenario, runner, invariants, bareScheduler());
  });
  return (runs / ms) * 1000;
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
