import { runAgainStrictly } from "./selfCheck.ts";
import { createHash } from "node:crypto";
import type { Invariant, Violation } from "../invariants/Invariant.ts";
import type { RunnerVariant } from "../../boundaries/port.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { ScheduleChooser, Strategy } from "../scheduler/strategies/Strategy.ts";
import type { WorldOptions } from "../scenario/createWorld.ts";
import { actorOf } from "../scheduler/VirtualScheduler.ts";
import { endStateFingerprint, hash53 } from "./fingerprint.ts";
import { FingerprintSet } from "./FingerprintSet.ts";
import { explainByRerun, runSchedule, type ScheduleResult, type ScheduleSpec } from "./runSchedule.ts";
import type { FlightRecorder } from "../sandbox/flightRecorder.ts";
import { runSeed } from "../scheduler/strategies/random.ts";
import { letSignalsIn, type Interrupt } from "../interrupt.ts";
import { watchUncontrolled } from "./uncontrolled.ts";

/** Resolved options of one exploration. */
export interface ExploreOptions {
  readonly scenario: Scenario;
  readonly runner: RunnerVariant;
  readonly strategy: Strategy;
  readonly invariants: readonly Invariant[];
  /** Schedules to run at most. */
  readonly runs: number;
  readonly maxSteps: number;
  /** Keep exploring after a failure, collecting one failing schedule per distinct invariant set. */
  readonly keepGoing: boolean;
  /** Schedules run at once when the strategy allows it (throughput only; results do not depend on it). */
  readonly concurrency: number;
  /** The run command's observer and the transport. */
  readonly world?: WorldOptions;
  /**
   * With keepGoing: stop as soon as this holds for the invariants violated so far (the gate
   * stops once every expected invariant has failed). Checked after each failing schedule.
   */
  readonly stopWhen?: (violated: ReadonlySet<string>) => boolean;
  /** In a sandbox: where schedules leave their steps (see FlightRecorder). */
  readonly recorder?: FlightRecorder;
  /** Told of each failure kept, as it is found. */
  readonly onFailure?: (failure: Failure) => void;
  /** The exploration's seed: schedule r's virtualised randomness is seeded from (seed, r). Default 0. */
  readonly seed?: number;
  /** Ctrl-C: stop between batches and return what ran (`interrupted` in the result). */
  readonly interrupt?: Interrupt;
  /** Told of every schedule as it is processed, in order (the soundness test reads end states here). */
  readonly onSchedule?: (result: ScheduleResult, run: number) => void;
  /** Told after each batch how many schedules ran and how many failures were kept. */
  readonly onProgress?: (schedules: number, failures: number) => void;
}

/** One failing schedule. */
export interface Failure {
  /** 0-based schedule number. */
  readonly run: number;
  readonly result: ScheduleResult;
  readonly violations: readonly Violation[];
  /** The seed of its virtualised randomness, where it is not runSeed(seed, run) (a split search's subtree numbers its own schedules). */
  readonly randomSeed?: number;
}

/** Coyote-style statistics of an exploration. */
export interface ExploreStats {
  readonly schedules: number;
  /** Schedules a reducing strategy abandoned part-way as equivalent to explored ones. */
  readonly abandoned: number;
  /** Schedules whose choice sequences differ. */
  readonly distinctSchedules: number;
  /** Distinct end states (messages, statuses, call results) reached. */
  readonly distinctEndStates: number;
  readonly steps: { readonly min: number; readonly avg: number; readonly max: number };
  readonly preemptions: { readonly total: number; readonly avg: number; readonly max: number };
}

/** What an exploration found. */
export interface ExploreResult {
  readonly stats: ExploreStats;
  readonly schedulesRun: number;
  readonly failures: readonly Failure[];
  /** sha256 (16 hex) over every schedule run: its choices and its verdict. Same inputs, same hash. */
  readonly traceHash: string;
  /** The strategy ran out of schedules before the budget. */
  readonly exhausted: boolean;
  /** Stopped early by an interrupt (Ctrl-C): the result covers the schedules that ran. */
  readonly interrupted?: boolean;
}

/**
 * Runs schedules until the budget is spent, the strategy is exhausted, or (unless keepGoing)
 * a schedule violates an invariant. Schedules are processed in order, so the result never
 * depends on `concurrency`.
 */
export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  // Patching and restoring the globals (and syncing node:crypto's ESM exports) costs more than
  // a whole schedule: keep them patched from the first schedule to the last, not batch by batch.
  // Between schedules no run is resumed, so the patched functions are the real ones.
  const unwatch = watchUncontrolled();
  try {
    return await exploreWatched(options);
  } finally {
    unwatch();
  }
}

async function exploreWatched(options: ExploreOptions): Promise<ExploreResult> {
  const hash = createHash("sha256");
  const failures: Failure[] = [];
  const seen = new Set<string>();
  const violated = new Set<string>();
  const batchSize = options.strategy.independent ? Math.max(1, options.concurrency) : 1;
  const schedules = new FingerprintSet();
  const endStates = new FingerprintSet();
  let minSteps = Number.POSITIVE_INFINITY;
  let maxSteps = 0;
  let totalSteps = 0;
  let totalPreemptions = 0;
  let maxPreemptions = 0;
  let abandoned = 0;
  if (options.strategy.prepare) {
    const probe = await runSchedule({ ...base(options), chooser: { choose: () => 0 }, randomSeed: runSeed(options.seed ?? 0, PROBE), ...recordAs(options, 0, PROBE) });
    options.strategy.prepare({ steps: probe.end.steps, actors: new Set(probe.choices.map(actorOf)).size });
  }
  let run = 0;
  let exhausted = false;
  let interrupted = false;
  let batches = 0;
  outer: while (run < options.runs) {
    if (options.interrupt) {
      if (++batches % INTERRUPT_EVERY === 0) await letSignalsIn();
      if (options.interrupt.requested) {
        interrupted = true;
        break;
      }
    }
    const batch: Promise<ScheduleResult>[] = [];
    for (let i = 0; i < batchSize && run + i < options.runs; i++) {
      const chooser = options.strategy.next(run + i);
      if (!chooser) {
        exhausted = true;
        break;
      }
      batch.push(runSchedule(scheduleSpec(options, chooser, run + i, i)));
    }
    if (batch.length === 0) break;
    const results = await Promise.all(batch);
    for (let result of results) {
      const choices = result.choices.join("\n");
      hash.update(choices);
      schedules.add(hash53(choices));
      if (result.abandoned) abandoned += 1;
      else endStates.add(endStateFingerprint(result.trace));
      const steps = result.end.steps;
      minSteps = Math.min(minSteps, steps);
      maxSteps = Math.max(maxSteps, steps);
      totalSteps += steps;
      totalPreemptions += result.preemptions;
      maxPreemptions = Math.max(maxPreemptions, result.preemptions);
      hash.update(`|${result.violations.map((v) => v.invariant).join(",")}\n`);
      const current = run;
      run += 1;
      options.onSchedule?.(result, current);
      if (result.violations.length === 0 && !result.abandoned && current % SELF_CHECK_EVERY === 0) {
        // The determinism self-check on a sample of passing schedules: run it again, strictly.
        const differs = await runAgain(options, result, current);
        if (differs) result = { ...result, violations: [differs] };
      }
      if (result.violations.length === 0) continue;
      for (const v of result.violations) violated.add(v.invariant);
      const key = [...new Set(result.violations.map((v) => v.invariant))].sort().join(",");
      if (!seen.has(key)) {
        seen.add(key);
        // Only a failure kept is explained: a search on a buggy runner fails in most schedules.
        result = await explainByRerun(rerunSpec(options, current), result);
        const failure = { run: current, result, violations: result.violations };
        failures.push(failure);
        options.onFailure?.(failure);
      }
      if (!options.keepGoing || options.stopWhen?.(violated)) break outer;
    }
    options.onProgress?.(run, failures.length);
    if (exhausted) break;
  }
  const stats: ExploreStats = {
    schedules: run,
    abandoned,
    distinctSchedules: schedules.size,
    distinctEndStates: endStates.size,
    steps: { min: run ? minSteps : 0, avg: run ? round(totalSteps / run) : 0, max: maxSteps },
    preemptions: { total: totalPreemptions, avg: run ? round(totalPreemptions / run) : 0, max: maxPreemptions },
  };
  return { stats, schedulesRun: run, failures, traceHash: hash.digest("hex").slice(0, 16), exhausted, ...(interrupted && { interrupted }) };
}

/** Batches between two turns of the event loop when an interrupt is watched. */
const INTERRUPT_EVERY = 4;

/** Every this many schedules, one that passed is run again to check that the code is deterministic. */
export const SELF_CHECK_EVERY = 64;

/** Runs schedule `run` again with its own choices and seed; the violation if it behaves differently. */
function runAgain(options: ExploreOptions, first: ScheduleResult, run: number): Promise<Violation | undefined> {
  return runAgainStrictly({ ...base(options), randomSeed: runSeed(options.seed ?? 0, run), ...recordAs(options, 0, run) }, first, `schedule #${run}, which passed`);
}

/** The schedule number a strategy's probe run is recorded as. */
export const PROBE = -1;

function recordAs(options: ExploreOptions, slot: number, schedule: number) {
  return options.recorder ? { record: { recorder: options.recorder, slot, schedule } } : {};
}

function base(options: ExploreOptions) {
  return {
    scenario: options.scenario,
    runner: options.runner,
    invariants: options.invariants,
    maxSteps: options.maxSteps,
    ...(options.world && { world: options.world }),
  };
}

/**
 * The spec of schedule `run` in batch slot `slot`, as one literal: built once per schedule, where
 * spreading `base` and `recordAs` into it went through V8's slow generic object copy.
 */
function scheduleSpec(options: ExploreOptions, chooser: ScheduleChooser, run: number, slot: number): ScheduleSpec {
  return { ...rerunSpec(options, run, slot), chooser };
}

/** Schedule `run` of the exploration without its chooser: what a rerun of it needs. */
function rerunSpec(options: ExploreOptions, run: number, slot = 0): Omit<ScheduleSpec, "chooser"> {
  return {
    scenario: options.scenario,
    runner: options.runner,
    invariants: options.invariants,
    maxSteps: options.maxSteps,
    world: options.world,
    randomSeed: runSeed(options.seed ?? 0, run),
    record: options.recorder ? { recorder: options.recorder, slot, schedule: run } : undefined,
    // Explained once kept (see explainByRerun).
    explain: false,
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
