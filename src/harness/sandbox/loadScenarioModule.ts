import { Worker } from "node:worker_threads";
import { workerEntry } from "../../boundaries/loaders/workerEntry.ts";
import { importScenarioModule } from "../../boundaries/loaders/scenarioModule.ts";
import { InputError } from "../errors.ts";
import { realSetTimeout } from "../explore/uncontrolled.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { Limits } from "./limits.ts";
import { finishOnce } from "./finishOnce.ts";
import { reviveError, type SerializedError } from "./serializeError.ts";

const ENTRY = workerEntry(new URL("./scenarioWorker", import.meta.url), import.meta.url);

/**
 * Loads a scenario module in a worker thread of its own, as runner modules load in their
 * sandbox: the module's top level is the user's code, and one that never returns (or
 * outgrows the heap cap) must be a clear line, not a racelab that hangs. What comes back is
 * the validated scenario, plain data. With `RACELAB_SANDBOX=off` it loads in this thread.
 */
export async function loadScenarioModule(path: string, spec: string, cwd: string, limits: Limits): Promise<Scenario> {
  if (limits.sandbox === "off") return importScenarioModule(path, spec, cwd);
  const where = `scenario module '${spec}'`;
  const worker = new Worker(ENTRY.filename, {
    workerData: { ...ENTRY.workerData, path, spec, cwd },
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryLimitMb },
    // The module may print; its output is the user's, not racelab's to swallow.
    stdout: false,
    stderr: false,
  });
  return new Promise<Scenario>((resolve, reject) => {
    const finish = finishOnce(resolve, reject, () => {
      clearTimeout(deadline);
      void worker.terminate();
    });
    const deadline = realSetTimeout(() => {
      finish(new InputError(`${where} did not finish loading within ${limits.loadTimeoutMs} ms (its top-level code never returned); raise RACELAB_LOAD_TIMEOUT_MS if it really takes that long`));
    }, limits.loadTimeoutMs);
    worker.on("message", (m: { type: "done"; scenario: Scenario } | { type: "error"; error: SerializedError }) => {
      finish(m.type === "done" ? m.scenario : reviveError(m.error));
    });
    worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") finish(new InputError(`${where} ran out of memory while loading (heap cap ${limits.memoryLimitMb} MiB; RACELAB_MEMORY_LIMIT_MB)`));
      else finish(new InputError(`${where} failed to load: ${error.message.split("\n")[0]}`));
    });
    worker.on("exit", (code) => finish(new InputError(`${where} ended its thread (exit code ${code}) while loading; a scenario module should only export data`)));
  });
}
