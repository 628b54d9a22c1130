import { currentSchedule, type RunSources } from "./uncontrolled.ts";

/**
 * Errors a runner throws where nothing awaits them: a detached promise that rejects (an
 * unhandled rejection), or an exception out of a timer callback. Each is a finding about the
 * runner (reported through the `runner-error` invariant), never a crash of the harness.
 *
 * Runs in one process share the process's `unhandledRejection` event. Node reports a rejection
 * right after the microtasks of the macrotask that made it have drained, before the next
 * macrotask runs, and each schedule resumes its code in macrotasks of its own; so the owner is
 * the schedule resumed last ({@link currentSchedule}). Only a rejection made when no schedule
 * was resumed (a run's code outliving its schedule) goes to every run active then.
 */
const sinks = new Map<object, (error: unknown) => void>();
let installed = false;

function onUnhandledRejection(reason: unknown): void {
  // Outside any run it is not a runner's: keep Node's default (crash loudly).
  if (sinks.size === 0) throw reason;
  const owner = currentSchedule();
  const sink = owner && sinks.get(owner);
  if (sink) return sink(reason);
  for (const each of sinks.values()) each(reason);
}

/** Sends unhandled rejections made while `owner` is resumed to `sink` until the returned function is called. */
export function collectUncaught(owner: RunSources, sink: (error: unknown) => void): () => void {
  if (!installed) {
    process.on("unhandledRejection", onUnhandledRejection);
    installed = true;
  }
  sinks.set(owner, sink);
  return () => {
    sinks.delete(owner);
  };
}

/** An error as one line for a trace event. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
