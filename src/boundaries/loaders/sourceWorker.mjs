// The entry of racelab's worker threads when racelab runs from its TypeScript sources (its
// own tests): worker threads do not inherit the main thread's loader, so register tsx here,
// then load the worker's real module and serve its default export (piscina calls it per
// task). The built package never uses this file: its workers start in compiled JavaScript.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const mod = await import(workerData.racelabWorkerModule);

export default mod.default;
