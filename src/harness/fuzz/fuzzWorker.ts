/** The entry of a fuzz worker thread: piscina calls the default export once per task. */
export { runFuzzTask as default } from "./fuzzTask.ts";
