/**
 * Errors a runner throws where nothing awaits them: a detached promise that rejects (an
 * unhandled rejection), or an exception out of a timer callback. Each is a finding about the
 * runner (reported through the `runner-error` invariant), never a crash of the harness.
 *
 * Runs in one process share the process's `unhandledRejection` event, so a rejection is handed
 * to every run active at that moment; with one run at a time (replay, shrink) attribution is
 * exact, and an exploration's failure is shrunk and replayed alone, which confirms it.
 */
const sinks = new Set<(error: unknown) => void>();
let installed = false;

function onUnhandledRejection(reason: unknown): void {
  // Outside any run it is not a runner's: keep Node's default (crash loudly).
  if (sinks.size === 0) throw reason;
  for (const sink of sinks) sink(reason);
}

/** Sends unhandled rejections to `sink` until the returned function is called. */
export function collectUncaught(sink: (error: unknown) => void): () => void {
  if (!installed) {
    process.on("unhandledRejection", onUnhandledRejection);
    installed = true;
  }
  sinks.add(sink);
  return () => {
    sinks.delete(sink);
  };
}

/** An error as one line for a trace event. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
