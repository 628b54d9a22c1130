// A fuzz worker thread: registers tsx (workers do not inherit the main thread's loader
// hooks) and serves runFuzzTask. piscina calls the default export once per task.
import { register } from "tsx/esm/api";

register();
const { runFuzzTask } = await import("./fuzzTask.ts");

export default runFuzzTask;
