/**
 * Sources of nondeterminism a run's code might reach around racelab's control, watched while
 * schedules run. Real timers (`setTimeout`, `setInterval`, `setImmediate`) fire on the wall
 * clock, outside every schedule: a run that calls one is ended at once with a
 * `nondeterminism` finding that names the call and the step, never left to hang or to pass
 * by luck. (Code that wants time uses the port's virtual timers, or Effect's `Clock`, which
 * racelab provides on the same virtual time.)
 *
 * Attribution is exact without asking the code: Node runs every microtask before the next
 * macrotask, and each schedule resumes in a macrotask of its own (its quiescence), so all
 * code that runs between one schedule resuming and the next belongs to that schedule.
 */

/** One call of an uncontrolled source. */
export interface Escape {
  /** `setTimeout`, `setInterval`, `setImmediate`. */
  readonly api: string;
  /** What it was called with, briefly: `setTimeout(…, 1 ms)`. */
  readonly call: string;
}

/** Receives the escapes of one schedule. */
export type EscapeSink = (escape: Escape) => void;

// The real functions, captured before anything is patched: racelab's own quiescence uses these.
const real = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
};

/** The real `setImmediate`, for racelab's own macrotask boundary. */
export const realSetImmediate: typeof setImmediate = real.setImmediate;
/** The real `setInterval`, for racelab's own watchdogs. */
export const realSetInterval: typeof setInterval = real.setInterval;

let current: EscapeSink | undefined;
let runs = 0;

/** Patches the timer globals while at least one schedule runs; returns the un-patch. */
export function watchUncontrolled(): () => void {
  if (runs++ === 0) install();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--runs === 0) uninstall();
  };
}

/** Says which schedule's code runs from now until another schedule resumes. */
export function resumeSchedule(sink: EscapeSink | undefined): void {
  current = sink;
}

function install(): void {
  const g = globalThis as Record<string, unknown>;
  g.setTimeout = guarded("setTimeout", real.setTimeout);
  g.setInterval = guarded("setInterval", real.setInterval);
  g.setImmediate = guarded("setImmediate", real.setImmediate);
}

function uninstall(): void {
  const g = globalThis as Record<string, unknown>;
  g.setTimeout = real.setTimeout;
  g.setInterval = real.setInterval;
  g.setImmediate = real.setImmediate;
  current = undefined;
}

/**
 * A timer function that, inside a schedule, reports the call and does not schedule it (its
 * callback would run on the wall clock, outside every schedule); outside one, is the real one.
 */
function guarded<F extends (...args: never[]) => unknown>(api: string, fn: F): F {
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const sink = current;
    if (sink === undefined) return (fn as unknown as (...a: unknown[]) => unknown).apply(this, args);
    const ms = api === "setImmediate" ? "" : `, ${typeof args[1] === "number" ? args[1] : 0} ms`;
    sink({ api, call: `${api}(…${ms})` });
    // A handle that does nothing: the run ends at this step, so nothing waits for it.
    return inertHandle();
  };
  return wrapper as unknown as F;
}

/** What a timer function returns, without a timer behind it (`clearTimeout` of it does nothing). */
function inertHandle(): object {
  const handle = {
    ref: () => handle,
    unref: () => handle,
    hasRef: () => false,
    refresh: () => handle,
    [Symbol.toPrimitive]: () => 0,
  };
  return handle;
}
