import { fileURLToPath } from "node:url";

/** What a worker thread (or a piscina pool) is started with. */
export interface WorkerEntry {
  /** The file the thread runs. */
  readonly filename: string;
  /** Data the thread reads from `workerData` (the real module to load, in source mode). */
  readonly workerData?: { readonly racelabWorkerModule: string };
}

/**
 * The entry of a worker thread whose module is `module` (a URL next to the caller, given
 * without extension: `new URL("./fuzzWorker", import.meta.url)`). In the built package that
 * is the compiled `.js` file. Running from racelab's TypeScript sources, a thread does not
 * inherit the loader that runs `.ts`, so it starts in `sourceWorker.mjs`, which registers
 * tsx and then loads the `.ts` module.
 */
export function workerEntry(module: URL, callerUrl: string): WorkerEntry {
  if (!callerUrl.endsWith(".ts")) return { filename: fileURLToPath(`${module.href}.js`) };
  return {
    filename: fileURLToPath(new URL("./sourceWorker.mjs", import.meta.url)),
    workerData: { racelabWorkerModule: `${module.href}.ts` },
  };
}
