import { loadRunner, loadWorld, resolveInvariants } from "../resolve.ts";
import type { WorldSpec } from "../sandbox/jobs.ts";
import type { Scenario } from "../scenario/schema.ts";
import { dfs } from "../scheduler/strategies/dfs.ts";
import type { StrategyOptions } from "../scheduler/strategies/Strategy.ts";
import { explore, type ExploreOptions } from "./explore.ts";
import { endStateFingerprint } from "./fingerprint.ts";
import { FingerprintSet } from "./FingerprintSet.ts";

/** One subtree of a split DFS: everything a worker thread needs to explore it, by name. */
export interface SubtreeTask {
  readonly scenario: Scenario;
  readonly runner: string;
  readonly world: WorldSpec;
  readonly options: StrategyOptions & { readonly prefix: readonly string[] };
  readonly runs: number;
  readonly maxSteps: number;
  readonly keepGoing: boolean;
}

/** A failure a subtree kept, as plain data (the coordinator runs it again to explain it). */
export interface SubtreeFailure {
  /** Schedule number within the subtree; its randomness was seeded from (seed, run). */
  readonly run: number;
  readonly choices: readonly string[];
  readonly invariants: readonly string[];
}

/** What exploring one subtree found, as plain data that crosses a thread. */
export interface SubtreeOutcome {
  readonly schedulesRun: number;
  readonly exhausted: boolean;
  readonly traceHash: string;
  readonly abandoned: number;
  readonly skipped: number;
  readonly failures: readonly SubtreeFailure[];
  /** Fingerprints of the end states its complete schedules reached. */
  readonly endStates: readonly number[];
  readonly steps: { readonly min: number; readonly max: number; readonly total: number };
  readonly preemptions: { readonly total: number; readonly max: number };
}

/** Explores one subtree in this thread, loading the runner and the world by name. */
export async function exploreSubtree(task: SubtreeTask): Promise<SubtreeOutcome> {
  const runner = await loadRunner(task.runner);
  const world = await loadWorld(task.scenario, task.world.observer, task.world.transport, task.world.granularity);
  return exploreSubtreeWith({
    scenario: task.scenario,
    runner,
    world,
    invariants: resolveInvariants(task.scenario),
    options: task.options,
    runs: task.runs,
    maxSteps: task.maxSteps,
    keepGoing: task.keepGoing,
  });
}

/** Explores one subtree with a runner already loaded. */
export async function exploreSubtreeWith(input: Pick<ExploreOptions, "scenario" | "runner" | "world" | "invariants" | "runs" | "maxSteps" | "keepGoing"> & { readonly options: SubtreeTask["options"] }): Promise<SubtreeOutcome> {
  const strategy = dfs(input.options);
  const endStates = new FingerprintSet();
  const steps = { min: Number.POSITIVE_INFINITY, max: 0, total: 0 };
  const preemptions = { total: 0, max: 0 };
  const result = await explore({
    scenario: input.scenario,
    runner: input.runner,
    strategy,
    invariants: input.invariants,
    runs: input.runs,
    maxSteps: input.maxSteps,
    keepGoing: input.keepGoing,
    concurrency: 1,
    seed: input.options.seed,
    ...(input.world && { world: input.world }),
    onSchedule: (r) => {
      if (!r.abandoned) endStates.add(endStateFingerprint(r.trace));
      steps.min = Math.min(steps.min, r.end.steps);
      steps.max = Math.max(steps.max, r.end.steps);
      steps.total += r.end.steps;
      preemptions.total += r.preemptions;
      preemptions.max = Math.max(preemptions.max, r.preemptions);
    },
  });
  const summary = strategy.summary?.();
  return {
    schedulesRun: result.schedulesRun,
    exhausted: result.exhausted,
    traceHash: result.traceHash,
    abandoned: result.stats.abandoned,
    skipped: typeof summary?.skipped === "number" ? summary.skipped : 0,
    failures: result.failures.map((f) => ({ run: f.run, choices: f.result.choices, invariants: f.violations.map((v) => v.invariant) })),
    endStates: [...endStates.values()].sort((a, b) => a - b),
    steps: { ...steps, min: result.schedulesRun > 0 ? steps.min : 0 },
    preemptions,
  };
}
