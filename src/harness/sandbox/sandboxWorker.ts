/**
 * The entry of a sandbox worker thread: runs one job (see jobs.ts) on the runner it names and
 * posts the outcome, its checkpoints, or the error it ended with. Steps leave their trace in
 * the shared flight recorder, which the main thread reads if this thread never comes back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Interrupt } from "../interrupt.ts";
import { FlightRecorder } from "./flightRecorder.ts";
import { runJob, type Job } from "./jobs.ts";
import { serializeError } from "./serializeError.ts";

const data = workerData as { readonly job: Job; readonly recorder: SharedArrayBuffer; readonly interrupt?: SharedArrayBuffer };
const recorder = new FlightRecorder(0, 0, data.recorder);
const port = parentPort!;

try {
  const outcome = await runJob(data.job, {
    recorder,
    ...(data.interrupt && { interrupt: new Interrupt(data.interrupt) }),
    checkpoint: (checkpoint) => {
      recorder.beat();
      port.postMessage({ type: "checkpoint", checkpoint });
    },
  });
  port.postMessage({ type: "done", outcome });
} catch (error) {
  port.postMessage({ type: "error", error: serializeError(error) });
}
