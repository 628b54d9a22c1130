import { Piscina } from "piscina";
import type { Interrupt } from "../interrupt.ts";
import { workerEntry } from "../../boundaries/loaders/workerEntry.ts";
import { TASK_STARTED, type FuzzOutcome, type FuzzTask } from "./fuzzTask.ts";
import { DistinctFailures, type DistinctFailure } from "./distinctFailures.ts";
import { shardItem, type Shard } from "../gate/shard.ts";
import { faultOutcome } from "./faultOutcome.ts";
import { realSetInterval } from "../explore/uncontrolled.ts";
import { FlightRecorder } from "../sandbox/flightRecorder.ts";
import { resolveLimits, type Limits } from "../sandbox/limits.ts";
import type { Fault } from "../sandbox/Sandbox.ts";

/** Resolved options of a fuzz campaign. */
export interface CampaignOptions {
  readonly seed: number;
  /** Built-in runner name, or an absolute module path. */
  readonly runner: string;
  readonly observer: string;
  /** Schedules per generated scenario. */
  readonly budget: number;
  readonly maxSteps: number;
  /** Worker threads (>= 1). */
  readonly workers: number;
  /** Wall-clock budget: stop handing out scenarios after this many ms. Outside the simulation: it only decides how many scenarios run. */
  readonly timeMs?: number;
  /** Or stop after exactly this many scenarios: indices 0..scenarios-1 (those of `shard`, when given). */
  readonly scenarios?: number;
  /** Run only this shard's scenario indices: i-1, i-1+n, i-1+2n, ... (see shardItem). */
  readonly shard?: Shard;
  /** Progress, as scenarios complete (in index order) and once a second. */
  readonly onProgress?: (progress: CampaignProgress) => void;
  /** Watchdog budgets: a task whose heartbeat stops, or whose worker outgrows the heap, is a finding. */
  readonly limits?: Limits;
  /** Ctrl-C: stop as at the deadline (the result is the prefix of scenarios that finished). */
  readonly interrupt?: Interrupt;
}

/** Where a campaign stands. */
export interface CampaignProgress {
  readonly elapsedMs: number;
  readonly scenarios: number;
  readonly schedules: number;
  readonly failures: number;
  readonly distinct: number;
}

export type { DistinctFailure } from "./distinctFailures.ts";

/** What a campaign found. */
export interface CampaignResult {
  /**
   * The first `scenarios` of the campaign's indices all ran (0..scenarios-1, or the shard's
   * first `scenarios`); the result is a function of (options, scenarios) alone.
   */
  readonly scenarios: number;
  readonly schedules: number;
  readonly steps: number;
  readonly failingScenarios: number;
  readonly distinct: readonly DistinctFailure[];
  readonly elapsedMs: number;
  readonly workers: number;
  /** Stopped by an interrupt before its budget was spent. */
  readonly interrupted?: boolean;
}

const WORKER = workerEntry(new URL("./fuzzWorker", import.meta.url), import.meta.url);

/**
 * Runs generated scenarios 0, 1, 2, ... (with a shard, only its own: i-1, i-1+n, ...) on a
 * pool of worker threads (piscina) until the time or scenario budget is spent. Outcomes are
 * taken in index order and only as a gap-free prefix, and deduplicated (DistinctFailures: by
 * the causal shape of the race, see interleavingSignature) in that order, so the result for the first n scenarios is the same whatever the number of
 * workers or the machine's speed; more workers only get further in the same time.
 */
export async function fuzzCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const limits = options.limits ?? resolveLimits();
  const pool = new Piscina<FuzzTask, FuzzOutcome>({
    ...WORKER,
    minThreads: options.workers,
    maxThreads: options.workers,
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryLimitMb },
    // Queue a little ahead so no thread waits for the main thread between tasks.
    maxQueue: options.workers * 2,
    idleTimeout: 60_000,
  });
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const interrupted = () => options.interrupt?.requested === true;
  const timeUp = () => interrupted() || (options.timeMs !== undefined && elapsed() >= options.timeMs);
  // `next` and `prefix` count positions in this campaign's stream of indices; indexAt maps
  // them to scenario indices (the identity without a shard).
  const indexAt = (position: number) => (options.shard ? shardItem(options.shard, position) : position);
  const allHandedOut = (next: number) => options.scenarios !== undefined && indexAt(next) >= options.scenarios;

  const done = new Map<number, FuzzOutcome>();
  const distinct = new DistinctFailures<DistinctFailure>();
  let prefix = 0;
  let schedules = 0;
  let steps = 0;
  let failing = 0;
  let next = 0;
  let failed: unknown;
  let stopping = false;
  const inFlight = new Set<Promise<void>>();

  // The watchdog: every task has a flight recorder; one whose heartbeat stops is aborted (piscina
  // then ends its worker) and turned into a runner-timeout finding of its scenario. A task
  // still queued (no heartbeat) has no budget: it waits for the task before it, however long
  // that takes on this machine, or the campaign's result would depend on the machine's speed.
  // Once taken up it has the load budget until its first step, then the step budget.
  const watched = new Map<number, { recorder: FlightRecorder; abort: AbortController; beat: number; since: number; fault?: Fault["kind"] }>();
  const watchdog = realSetInterval(() => {
    const now = performance.now();
    for (const w of watched.values()) {
      const beat = w.recorder.heartbeat;
      if (beat !== w.beat) {
        w.beat = beat;
        w.since = now;
      } else if (!w.fault && beat >= TASK_STARTED && now - w.since > (beat === TASK_STARTED ? limits.loadTimeoutMs : limits.stepTimeoutMs)) {
        w.fault = "timeout";
        w.abort.abort();
      }
    }
  }, Math.max(5, Math.min(100, Math.floor(limits.stepTimeoutMs / 4))));

  const progress = (): CampaignProgress => ({ elapsedMs: elapsed(), scenarios: prefix, schedules, failures: failing, distinct: distinct.size });
  const ticker = options.onProgress ? setInterval(() => options.onProgress!(progress()), 1000) : undefined;

  const absorb = () => {
    while (done.has(prefix)) {
      const o = done.get(prefix)!;
      done.delete(prefix);
      prefix += 1;
      schedules += o.schedules;
      steps += o.steps;
      if (o.failures.length === 0) continue;
      failing += 1;
      // The signature is interleavingSignature's key of the race (computed where the run was).
      for (const failure of o.failures) {
        distinct.add({ index: o.index, scenarioName: o.scenario, features: o.features, failure, occurrences: 1, indices: [o.index], seenAs: [failure.invariant] });
      }
    }
    options.onProgress?.(progress());
  };

  let deadline: ReturnType<typeof setTimeout> | undefined;
  let interruptWatch: ReturnType<typeof setInterval> | undefined;
  const expired = new Promise<void>((resolve) => {
    if (options.timeMs !== undefined) deadline = setTimeout(resolve, Math.max(0, options.timeMs - elapsed()));
    if (options.interrupt) interruptWatch = setInterval(() => interrupted() && resolve(), 50);
  });
  try {
    while (!timeUp() && !allHandedOut(next) && failed === undefined) {
      while (inFlight.size < options.workers * 2 && !allHandedOut(next)) {
        const position = next++;
        const index = indexAt(position);
        const recorder = new FlightRecorder(1, options.maxSteps * 10 + 16);
        const watch = { recorder, abort: new AbortController(), beat: 0, since: performance.now() } as { recorder: FlightRecorder; abort: AbortController; beat: number; since: number; fault?: Fault["kind"] };
        watched.set(index, watch);
        const task: FuzzTask = { seed: options.seed, index, runner: options.runner, observer: options.observer, budget: options.budget, maxSteps: options.maxSteps, recorder: recorder.buffer };
        const p: Promise<void> = pool
          .run(task, { signal: watch.abort.signal })
          .then(
            (outcome) => outcome,
            async (error: unknown) => {
              if (stopping) return undefined;
              const oom = (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
              if (!watch.fault && !oom) throw error;
              const last = recorder.last();
              const kind = watch.fault === "timeout" ? "timeout" : "oom";
              const fault: Fault = { kind, limit: kind === "oom" ? limits.memoryLimitMb : limits.stepTimeoutMs, ...(last && { last }), checkpoints: [] };
              return faultOutcome(task, fault, limits);
            },
          )
          .then(
            (outcome) => {
              watched.delete(index);
              if (!outcome) return;
              done.set(position, outcome);
              absorb();
            },
            (error: unknown) => {
              watched.delete(index);
              // Tasks cut off by the deadline reject when the pool is destroyed: not a failure.
              if (!stopping) failed ??= error;
            },
          );
        const tracked = p.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      }
      await Promise.race([...inFlight, expired]);
    }
    if (failed === undefined && !timeUp()) await Promise.all(inFlight);
  } finally {
    if (deadline) clearTimeout(deadline);
    if (interruptWatch) clearInterval(interruptWatch);
    if (ticker) clearInterval(ticker);
    clearInterval(watchdog);
    // Tasks still running past the deadline are cut off: the result is the prefix before them.
    stopping = true;
    await pool.destroy();
  }
  if (failed !== undefined) throw failed;
  const elapsedMs = elapsed();
  return {
    scenarios: prefix,
    schedules,
    steps,
    failingScenarios: failing,
    distinct: distinct.list(),
    elapsedMs,
    workers: options.workers,
    ...(interrupted() && { interrupted: true }),
  };
}
