import { Piscina } from "piscina";
import type { Interrupt } from "../interrupt.ts";
import { workerEntry } from "../../boundaries/loaders/workerEntry.ts";
import type { FuzzFailure, FuzzOutcome, FuzzTask } from "./fuzzTask.ts";
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
  /** Or stop after exactly this many scenarios. */
  readonly scenarios?: number;
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

/** A distinct failure: the first scenario that showed it, and how often it was seen again. */
export interface DistinctFailure {
  readonly index: number;
  readonly scenarioName: string;
  readonly features: string;
  readonly failure: FuzzFailure;
  readonly occurrences: number;
  /** The invariants its occurrences were shrunk on, in the order first seen (one race, seen through several). */
  readonly seenAs: readonly string[];
}

/** What a campaign found. */
export interface CampaignResult {
  /** Scenarios 0..scenarios-1 all ran; the result is a function of (options, scenarios) alone. */
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
 * Runs generated scenarios 0, 1, 2, ... on a pool of worker threads (piscina) until the time
 * or scenario budget is spent. Outcomes are taken in index order and only as a gap-free
 * prefix, and deduplicated by signature (the causal shape of the race, see
 * interleavingSignature) in that order, so the result for the first n
 * scenarios is the same whatever the number of workers or the machine's speed; more
 * workers only get further in the same time.
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
  const allHandedOut = (next: number) => options.scenarios !== undefined && next >= options.scenarios;

  const done = new Map<number, FuzzOutcome>();
  const bySignature = new Map<string, { first: DistinctFailure; count: number; seenAs: Set<string> }>();
  let prefix = 0;
  let schedules = 0;
  let steps = 0;
  let failing = 0;
  let next = 0;
  let failed: unknown;
  let stopping = false;
  const inFlight = new Set<Promise<void>>();

  // The watchdog: every task has a flight recorder; one whose heartbeat stops is aborted (piscina
  // then ends its worker) and turned into a runner-timeout finding of its scenario.
  const watched = new Map<number, { recorder: FlightRecorder; abort: AbortController; beat: number; since: number; fault?: Fault["kind"] }>();
  const watchdog = realSetInterval(() => {
    const now = performance.now();
    for (const w of watched.values()) {
      const beat = w.recorder.heartbeat;
      if (beat !== w.beat) {
        w.beat = beat;
        w.since = now;
      } else if (!w.fault && now - w.since > (beat === 0 ? limits.loadTimeoutMs : limits.stepTimeoutMs)) {
        w.fault = "timeout";
        w.abort.abort();
      }
    }
  }, Math.max(5, Math.min(100, Math.floor(limits.stepTimeoutMs / 4))));

  const progress = (): CampaignProgress => ({ elapsedMs: elapsed(), scenarios: prefix, schedules, failures: failing, distinct: bySignature.size });
  const ticker = options.onProgress ? setInterval(() => options.onProgress!(progress()), 1000) : undefined;

  const absorb = () => {
    while (done.has(prefix)) {
      const o = done.get(prefix)!;
      done.delete(prefix);
      prefix += 1;
      schedules += o.schedules;
      steps += o.steps;
      if (!o.failure) continue;
      failing += 1;
      // The signature is interleavingSignature's key of the race (computed where the run was).
      const key = o.failure.signature;
      const seen = bySignature.get(key);
      if (seen) {
        seen.count += 1;
        seen.seenAs.add(o.failure.invariant);
      } else {
        const first = { index: o.index, scenarioName: o.scenario, features: o.features, failure: o.failure, occurrences: 1, seenAs: [o.failure.invariant] };
        bySignature.set(key, { first, count: 1, seenAs: new Set([o.failure.invariant]) });
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
        const index = next++;
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
              done.set(index, outcome);
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
    distinct: [...bySignature.values()].map(({ first, count, seenAs }) => ({ ...first, occurrences: count, seenAs: [...seenAs] })),
    elapsedMs,
    workers: options.workers,
    ...(interrupted() && { interrupted: true }),
  };
}
