import type { Scenario } from "../scenario/schema.ts";
import type { StrategyOptions, StrategySummary, ScheduleChooser } from "../scheduler/strategies/Strategy.ts";
import { ABANDON } from "../scheduler/strategies/Strategy.ts";
import { replayChooser } from "../scheduler/strategies/replay.ts";
import { explore, type ExploreResult, type Failure } from "../explore/explore.ts";
import { exploreExpecting } from "../explore/exploreExpecting.ts";
import { exploreDfsSplit } from "../explore/dfsSplit.ts";
import { recordFailure, type RecordedFailure } from "../explore/recordFailure.ts";
import { runSchedule, type ScheduleResult } from "../explore/runSchedule.ts";
import { lenient, NotFailing, shrinkFailure, type ShrunkFailure } from "../explore/shrink.ts";
import { randomSeedOf } from "../explore/replaySchedule.ts";
import { recordedViolations, writeScheduleFile, type ScheduleFile } from "../explore/scheduleFile.ts";
import { loadRunner, resolveInvariants, resolveStrategy, loadWorld } from "../resolve.ts";
import type { Interrupt } from "../interrupt.ts";
import type { FlightRecorder } from "./flightRecorder.ts";

/**
 * The work racelab does on a runner, as plain data: each job runs the same in process or in
 * a sandbox worker (see Sandbox.ts), which is what lets a runner racelab did not write spin,
 * flood or leak without taking racelab with it.
 */

/** How a world is built, by name (what `loadWorld` takes). */
export interface WorldSpec {
  readonly observer?: string;
  readonly transport?: "inproc" | "http";
  readonly granularity?: "step" | "suspend";
}

/** A chooser as data. */
export type ChooserSpec =
  | { readonly kind: "replay"; readonly choices: readonly string[] }
  | { readonly kind: "lenient"; readonly prefs: readonly (string | null)[] }
  /** Releases the recorded ready-set indices, then stops before step `stopAt` (0-based), noting its ready set. */
  | { readonly kind: "indices"; readonly indices: readonly number[]; readonly stopAt: number };

/** One schedule: a replay, a shrink candidate, or a post-mortem of one that never returned. */
export interface ScheduleJob {
  readonly kind: "schedule";
  readonly scenario: Scenario;
  readonly runner: string;
  readonly world: WorldSpec;
  readonly maxSteps: number;
  readonly chooser: ChooserSpec;
  /** Seed of the run's virtualised randomness (see ScheduleSpec.randomSeed). */
  readonly randomSeed?: number;
}

export interface ScheduleOutcome {
  readonly result: ScheduleResult;
  /** `indices`: the labels ready when it stopped. */
  readonly stoppedAt?: readonly string[];
}

/** An exploration, and the recording of each failure it finds (shrunk, written with its reports). */
export interface ExploreJob {
  readonly kind: "explore";
  readonly scenario: Scenario;
  readonly runner: string;
  readonly world: WorldSpec;
  readonly strategy: { readonly name: string; readonly options: StrategyOptions };
  readonly runs: number;
  readonly maxSteps: number;
  readonly keepGoing: boolean;
  /** Judge as the gate does: go on until each of these has failed ([] = a pass is expected). */
  readonly expected?: readonly string[];
  /** dfs only: split the tree over this many worker threads (see explore/dfsSplit.ts). */
  readonly workers?: number;
  readonly record?: {
    readonly out: string;
    readonly seed: number;
    readonly shrink?: boolean | { readonly budget: number; readonly searchBudget: number };
    /** Bugs caught as expected get this shrink instead (the gate's quick shrink). */
    readonly heldShrink?: { readonly budget: number; readonly searchBudget: number };
  };
}

export interface ExploreOutcome {
  readonly result: ExploreResult;
  readonly strategySummary?: StrategySummary;
  readonly recorded: readonly RecordedFailure[];
  /** With `expected`: the gate's verdict. */
  readonly judged?: { readonly found: readonly string[]; readonly missing: readonly string[]; readonly unexpected: readonly string[]; readonly ok: boolean };
}

/** `racelab shrink <file>`: shrink a recorded failure and write it beside (or into `out`). */
export interface ShrinkJob {
  readonly kind: "shrink";
  readonly file: ScheduleFile;
  readonly runner: string;
  readonly out: string;
}

export type ShrinkOutcome =
  | { readonly passes: true }
  | { readonly passes?: false; readonly written: string; readonly shrunk: ShrunkFailure; readonly file: ScheduleFile };

/** Load a runner and check it against the port (a user's module is loaded, and its create(port) called, here). */
export interface LoadJob {
  readonly kind: "load";
  readonly runner: string;
}

export interface LoadOutcome {
  readonly name: string;
  readonly description: string;
  readonly stepScale: number;
}

export type Job = ScheduleJob | ExploreJob | ShrinkJob | LoadJob;
export type Outcome<J extends Job> = J extends ScheduleJob ? ScheduleOutcome : J extends ShrinkJob ? ShrinkOutcome : J extends LoadJob ? LoadOutcome : ExploreOutcome;

/** Where a job is when it reports progress (what the main thread needs if the job never comes back). */
export type Checkpoint =
  | { readonly phase: "explore" }
  /** The exploration kept this failure (its schedule as found). */
  | { readonly phase: "found"; readonly failure: Failure }
  /** The exploration is over; recording follows. */
  | { readonly phase: "explored"; readonly result: ExploreResult; readonly strategySummary?: StrategySummary; readonly judged?: ExploreOutcome["judged"] }
  /** Recording failure `index`: shrinking its schedule, then writing it. */
  | { readonly phase: "progress"; readonly schedules: number; readonly failures: number }
  | { readonly phase: "record"; readonly index: number; readonly failure: { readonly run: number; readonly choices: readonly string[]; readonly violations: ScheduleResult["violations"] } }
  | { readonly phase: "recorded"; readonly index: number; readonly recorded: RecordedFailure };

/** What a job may use while it runs. */
export interface JobContext {
  readonly recorder?: FlightRecorder;
  readonly checkpoint?: (c: Checkpoint) => void;
  /** Ctrl-C: explorations stop between schedules; failures found are written unshrunk. */
  readonly interrupt?: Interrupt;
}

/** Runs a job in this thread. */
export async function runJob<J extends Job>(job: J, ctx: JobContext = {}): Promise<Outcome<J>> {
  if (job.kind === "schedule") return (await scheduleJob(job, ctx)) as Outcome<J>;
  if (job.kind === "shrink") return (await shrinkJob(job, ctx)) as Outcome<J>;
  if (job.kind === "load") {
    const runner = await loadRunner(job.runner);
    return { name: runner.name, description: runner.description, stepScale: runner.stepScale ?? 1 } as Outcome<J>;
  }
  return (await exploreJob(job, ctx)) as Outcome<J>;
}

async function shrinkJob(job: ShrinkJob, ctx: JobContext): Promise<ShrinkOutcome> {
  const { file } = job;
  const primary = file.violations[0]!.invariant;
  let shrunk: ShrunkFailure;
  try {
    shrunk = await shrinkFailure({
      scenario: file.scenario,
      runner: await loadRunner(file.runner),
      invariants: resolveInvariants(file.scenario),
      primary,
      maxSteps: file.maxSteps,
      choices: file.choices,
      world: await loadWorld(file.scenario, file.observer, file.transport, file.granularity),
      ...(ctx.recorder && { recorder: ctx.recorder }),
      randomSeed: randomSeedOf(file),
    });
  } catch (error) {
    if (error instanceof NotFailing) return { passes: true };
    throw error;
  }
  const next: ScheduleFile = {
    ...file,
    scenario: shrunk.scenario,
    choices: shrunk.full.choices,
    violations: recordedViolations(shrunk.full.violations),
    shrink: { original: file.shrink?.original ?? shrunk.original, shrunk: shrunk.shrunk, attempts: (file.shrink?.attempts ?? 0) + shrunk.attempts },
  };
  return { written: writeScheduleFile(job.out, next, "-shrunk"), shrunk, file: next };
}

async function scheduleJob(job: ScheduleJob, ctx: JobContext): Promise<ScheduleOutcome> {
  const runner = await loadRunner(job.runner);
  let stoppedAt: string[] | undefined;
  const chooser = chooserOf(job.chooser, (ready) => (stoppedAt = ready));
  const result = await runSchedule({
    scenario: job.scenario,
    runner,
    invariants: resolveInvariants(job.scenario),
    chooser,
    maxSteps: job.maxSteps,
    world: await loadWorld(job.scenario, job.world.observer, job.world.transport, job.world.granularity),
    ...(job.randomSeed !== undefined && { randomSeed: job.randomSeed }),
    ...(ctx.recorder && { record: { recorder: ctx.recorder, slot: 0, schedule: 0 } }),
    // A hang's post-mortem explains the run that stopped, from its own steps.
    recordSteps: true,
  });
  return { result, ...(stoppedAt && { stoppedAt }) };
}

/** The chooser a spec describes. */
export function chooserOf(spec: ChooserSpec, onStop: (ready: string[]) => void = () => {}): ScheduleChooser {
  switch (spec.kind) {
    case "replay":
      return replayChooser(spec.choices);
    case "lenient":
      return lenient(spec.prefs.map((p) => p ?? undefined));
    case "indices":
      return {
        choose(ready, step) {
          if (step >= spec.stopAt) {
            onStop(ready.map((p) => p.label));
            return ABANDON;
          }
          return Math.min(spec.indices[step] ?? 0, ready.length - 1);
        },
      };
  }
}

async function exploreJob(job: ExploreJob, ctx: JobContext): Promise<ExploreOutcome> {
  const runner = await loadRunner(job.runner);
  const invariants = resolveInvariants(job.scenario);
  const world = await loadWorld(job.scenario, job.world.observer, job.world.transport, job.world.granularity);
  // The first heartbeat: loading is over. Before it the watchdog gives the load budget (a
  // module's first load may compile a whole dependency graph), after it the step budget.
  ctx.checkpoint?.({ phase: "explore" });
  const strategy = resolveStrategy(job.strategy.name, job.strategy.options);
  const checkpoint = ctx.checkpoint;
  const options = {
    scenario: job.scenario,
    runner,
    strategy,
    invariants,
    runs: job.runs,
    maxSteps: job.maxSteps,
    concurrency: 16,
    world,
    seed: job.strategy.options.seed,
    ...(ctx.recorder && { recorder: ctx.recorder }),
    ...(ctx.interrupt && { interrupt: ctx.interrupt }),
    ...(checkpoint && { onProgress: progressEvery(PROGRESS_EVERY, checkpoint) }),
    ...(checkpoint && { onFailure: (failure: Failure) => checkpoint({ phase: "found", failure }) }),
  };
  let result: ExploreResult;
  let judged: ExploreOutcome["judged"];
  let splitSummary: StrategySummary | undefined;
  if (job.workers !== undefined && strategy.name === "dfs") {
    const split = await exploreDfsSplit({ ...options, keepGoing: job.keepGoing }, { runner: job.runner, world: job.world, strategy: job.strategy.options, workers: job.workers });
    result = split.result;
    splitSummary = split.summary;
  } else if (job.expected) {
    const outcome = await exploreExpecting(options, job.expected);
    result = outcome.result;
    judged = { found: outcome.found, missing: outcome.missing, unexpected: outcome.unexpected, ok: outcome.ok };
  } else {
    result = await explore({ ...options, keepGoing: job.keepGoing });
  }
  const summary = splitSummary ?? strategy.summary?.();
  ctx.checkpoint?.({ phase: "explored", result, ...(summary && { strategySummary: summary }), ...(judged && { judged }) });
  const recorded: RecordedFailure[] = [];
  const record = job.record;
  if (record) {
    // One failure per distinct invariant set, as the set is after shrinking (shrinking can
    // turn two different finds into the same failure, or one into another).
    const kept = new Set<string>();
    const keep = (run: ScheduleResult) => {
      const key = invariantSetOf(run.violations);
      if (kept.has(key)) return false;
      kept.add(key);
      return true;
    };
    for (let index = 0; index < result.failures.length; index++) {
      const f = result.failures[index]!;
      ctx.checkpoint?.({ phase: "record", index, failure: { run: f.run, choices: f.result.choices, violations: f.violations } });
      // Interrupted: no shrinking (it can take a while), the failures are written as found.
      const shrink = ctx.interrupt?.requested ? false : judged?.ok && record.heldShrink ? record.heldShrink : (record.shrink ?? true);
      const r = await recordFailure({
        scenario: job.scenario,
        runner,
        invariants,
        world,
        strategy: strategy.name,
        seed: record.seed,
        run: f.run,
        maxSteps: job.maxSteps,
        found: f.result,
        ...(f.randomSeed !== undefined && { randomSeed: f.randomSeed }),
        out: record.out,
        shrink,
        keep,
        ...(ctx.recorder && { recorder: ctx.recorder }),
      });
      if (!r) continue;
      recorded.push(r);
      ctx.checkpoint?.({ phase: "recorded", index, recorded: r });
    }
  }
  return { result, ...(summary && { strategySummary: summary }), recorded, ...(judged && { judged }) };
}

/** The key of a run's set of violated invariants: sorted, distinct names. */
export function invariantSetOf(violations: readonly { readonly invariant: string }[]): string {
  return [...new Set(violations.map((v) => v.invariant))].sort().join(",");
}

/** Schedules between two progress checkpoints of an exploration. */
const PROGRESS_EVERY = 500;

function progressEvery(every: number, checkpoint: (c: Checkpoint) => void) {
  let last = 0;
  return (schedules: number, failures: number) => {
    if (schedules - last < every) return;
    last = schedules;
    checkpoint({ phase: "progress", schedules, failures });
  };
}
