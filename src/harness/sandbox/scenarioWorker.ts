/**
 * The entry of the worker thread a scenario module loads in: its top-level code is the
 * user's, so it runs where a loop that never returns, or a heap that grows without end, can
 * be stopped from outside (see loadScenarioModule.ts). Posts the validated scenario, which is
 * plain data, or the one-line error that says what is wrong with the module.
 */
import { parentPort, workerData } from "node:worker_threads";
import { importScenarioModule } from "../../boundaries/loaders/scenarioModule.ts";
import { serializeError } from "./serializeError.ts";

const data = workerData as { readonly path: string; readonly spec: string; readonly cwd: string };

try {
  parentPort!.postMessage({ type: "done", scenario: await importScenarioModule(data.path, data.spec, data.cwd) });
} catch (error) {
  parentPort!.postMessage({ type: "error", error: serializeError(error) });
}
