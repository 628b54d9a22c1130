import { Worker } from "node:worker_threads";
import { workerEntry } from "../../boundaries/loaders/workerEntry.ts";
import { isRunnerPath } from "../../boundaries/loaders/loadRunnerModule.ts";
import { realSetInterval } from "../explore/uncontrolled.ts";
import type { Interrupt } from "../interrupt.ts";
import { FlightRecorder } from "./flightRecorder.ts";
import { finishOnce } from "./finishOnce.ts";
import type { Checkpoint, Job, Outcome } from "./jobs.ts";
import { runJob } from "./jobs.ts";
import type { Limits } from "./limits.ts";
import { reviveError, type SerializedError } from "./serializeError.ts";
import { InputError } from "../errors.ts";

const ENTRY = workerEntry(new URL("./sandboxWorker", import.meta.url), import.meta.url);

/** How a sandboxed job ended when it did not come back. */
export interface Fault {
  /** `timeout`: a step did not return (a synchronous loop, a microtask flood); `oom`: the heap cap; `load`: the module never finished loading. */
  readonly kind: "timeout" | "oom" | "load";
  /** The budget it broke (ms, or MiB for `oom`). */
  readonly limit: number;
  /** The schedule that ran last in the sandbox, and the ready-set indices it released (the last never returned). */
  readonly last?: { readonly schedule: number; readonly indices: readonly number[] };
  /** The job's last checkpoint before it stopped. */
  readonly checkpoints: readonly Checkpoint[];
}

export type SandboxResult<J extends Job> = { readonly outcome: Outcome<J>; readonly fault?: undefined } | { readonly outcome?: undefined; readonly fault: Fault };

/** Whether a job on `runner` runs in a sandbox: a user's module (or every runner, with RACELAB_SANDBOX=always). */
export function sandboxed(runner: string, limits: Limits): boolean {
  if (limits.sandbox === "off") return false;
  return limits.sandbox === "always" || isRunnerPath(runner);
}

/**
 * Runs a job in a worker thread of its own, watched: a heartbeat that stops for longer than
 * the step budget (a step that never returns to the scheduler: a synchronous loop, a flood
 * of microtasks) or a heap that outgrows its cap ends the worker, and the caller gets a
 * {@link Fault} with what the flight recorder saw, never a hang. Errors the job throws
 * (bad input, a replay divergence) come back as themselves.
 */
export async function runSandboxed<J extends Job>(job: J, limits: Limits, onCheckpoint?: (c: Checkpoint) => void, interrupt?: Interrupt): Promise<SandboxResult<J>> {
  const capacity = ("maxSteps" in job ? job.maxSteps : 1000) * 10 + 16;
  const recorder = new FlightRecorder(16, capacity);
  const worker = new Worker(ENTRY.filename, {
    workerData: { ...ENTRY.workerData, job, recorder: recorder.buffer, ...(interrupt && { interrupt: interrupt.buffer }) },
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryLimitMb },
    // The user's module may print; the worker's own output is not racelab's to swallow.
    stdout: false,
    stderr: false,
  });
  const checkpoints: Checkpoint[] = [];
  return new Promise<SandboxResult<J>>((resolve, reject) => {
    let lastBeat = recorder.heartbeat;
    let lastChange = performance.now();
    const finish = finishOnce(resolve, reject, () => {
      clearInterval(watch);
      void worker.terminate();
    });
    const fault = (kind: Fault["kind"], limit: number) => {
      const last = recorder.last();
      finish({ fault: { kind, limit, ...(last && { last }), checkpoints } });
    };
    const watch = realSetInterval(() => {
      const beat = recorder.heartbeat;
      const now = performance.now();
      if (beat !== lastBeat) {
        lastBeat = beat;
        lastChange = now;
        return;
      }
      // Before the first step the user's module is still loading (tsx, its imports): a longer budget.
      const budget = beat === 0 ? limits.loadTimeoutMs : limits.stepTimeoutMs;
      if (now - lastChange > budget) fault(beat === 0 ? "load" : "timeout", budget);
    }, Math.max(5, Math.min(100, Math.floor(limits.stepTimeoutMs / 4))));
    worker.on("message", (m: { type: "checkpoint"; checkpoint: Checkpoint } | { type: "done"; outcome: Outcome<J> } | { type: "error"; error: SerializedError }) => {
      if (m.type === "checkpoint") {
        checkpoints.push(m.checkpoint);
        onCheckpoint?.(m.checkpoint);
      } else if (m.type === "done") finish({ outcome: m.outcome });
      else finish(reviveError(m.error));
    });
    worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") fault("oom", limits.memoryLimitMb);
      else finish(error);
    });
    worker.on("exit", (code) => finish(new Error(`the sandbox worker exited with code ${code} before it finished`)));
  });
}

/**
 * Loads a runner and checks it against the port, sandboxed when it is a user's module: a
 * module that fails to load, or whose top-level code never returns, is one clear line.
 */
export async function loadChecked(runner: string, limits: Limits): Promise<Outcome<{ kind: "load"; runner: string }>> {
  const done = await runJobWatched({ kind: "load", runner }, limits);
  if (done.outcome) return done.outcome;
  throw new InputError(
    `runner module '${runner}' did not finish loading within ${done.fault.limit} ${done.fault.kind === "oom" ? "MiB of heap" : "ms"} (its top-level code, or create(port) on racelab's check, never returned); raise RACELAB_LOAD_TIMEOUT_MS if it really takes that long`,
  );
}

/** Runs a job sandboxed when its runner calls for it (see {@link sandboxed}), else in this thread. */
export async function runJobWatched<J extends Job>(job: J, limits: Limits, onCheckpoint?: (c: Checkpoint) => void, interrupt?: Interrupt): Promise<SandboxResult<J>> {
  if (!sandboxed(job.runner, limits)) return { outcome: await runJob(job, { ...(onCheckpoint && { checkpoint: onCheckpoint }), ...(interrupt && { interrupt }) }) };
  return runSandboxed(job, limits, onCheckpoint, interrupt);
}
