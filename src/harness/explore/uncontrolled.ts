import { createRequire, syncBuiltinESMExports } from "node:module";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

/**
 * The sources of nondeterminism a run's code might reach around racelab's control, watched
 * while schedules run. Each is either virtualised from the run's seed and virtual clock, so
 * that the same schedule gives the same run, or is a `nondeterminism` finding that ends the
 * run at the step that reached it:
 *
 * | source | what racelab does |
 * |---|---|
 * | `Math.random` | virtualised: a generator seeded from the exploration's seed and the schedule's number |
 * | `crypto.randomUUID`, `crypto.getRandomValues`, `node:crypto`'s `randomUUID`, `randomBytes` (sync) | virtualised from the same generator |
 * | `Date.now`, `new Date()`, `Date()`, `performance.now` | virtualised: the run's virtual clock (from 2026-01-01T00:00:00Z; `performance.now` from 0) |
 * | `setTimeout`, `setInterval`, `setImmediate` | a finding: they fire on the wall clock, outside every schedule |
 * | `fetch` | a finding: the network is outside racelab's msw boundary |
 *
 * Attribution is exact without asking the code: Node runs every microtask before the next
 * macrotask, and each schedule resumes in a macrotask of its own (its quiescence), so all
 * code that runs between one schedule resuming and the next belongs to that schedule.
 */

/** One call of an uncontrolled source that racelab cannot virtualise. */
export interface Escape {
  /** `setTimeout`, `setInterval`, `setImmediate`, `fetch`. */
  readonly api: string;
  /** What it was called with, briefly: `setTimeout(…, 1 ms)`. */
  readonly call: string;
}

/** What the schedule running now provides to its code. */
export interface RunSources {
  readonly onEscape: (escape: Escape) => void;
  /** Virtual time in ms since the run began. */
  readonly now: () => number;
  /** A uniform number in [0, 1) from the run's own generator. */
  readonly random: () => number;
}

/** Virtual wall-clock time starts here (ms since the Unix epoch): 2026-01-01T00:00:00Z. */
export const VIRTUAL_EPOCH = Date.UTC(2026, 0, 1);

const require = createRequire(import.meta.url);
const nodeCrypto = require("node:crypto") as typeof import("node:crypto");

// The real functions, captured before anything is patched: racelab's own code uses these.
const real = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  fetch: globalThis.fetch,
  random: Math.random,
  Date: globalThis.Date,
  performanceNow: performance.now.bind(performance),
  randomUUID: globalThis.crypto.randomUUID.bind(globalThis.crypto),
  getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto),
  nodeRandomUUID: nodeCrypto.randomUUID,
  nodeRandomBytes: nodeCrypto.randomBytes,
};

/** The real `setImmediate`, for racelab's own macrotask boundary. */
export const realSetImmediate: typeof setImmediate = real.setImmediate;
/** The real `setInterval`, for racelab's own watchdogs. */
export const realSetInterval: typeof setInterval = real.setInterval;
/** The real `setTimeout`, for racelab's own deadlines (a user's module that takes too long to load). */
export const realSetTimeout: typeof setTimeout = real.setTimeout;
/** The real `performance.now`, for racelab's own timing. */
export const realNow: () => number = real.performanceNow;

let current: RunSources | undefined;
let runs = 0;

/** Patches the globals while at least one schedule runs; returns the un-patch. */
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
export function resumeSchedule(sources: RunSources | undefined): void {
  current = sources;
}

/** The schedule whose code runs now (the one last resumed), if any. */
export function currentSchedule(): RunSources | undefined {
  return current;
}

/** A run's own random numbers: xoroshiro128+ from its seed. */
export function runRandom(seed: number): () => number {
  const rng = xoroshiro128plus(seed | 0);
  return () => uniformInt(rng, 0, 0x7fffffff) / 0x80000000;
}

function install(): void {
  const g = globalThis as Record<string, unknown>;
  g.setTimeout = guardedTimer("setTimeout", real.setTimeout);
  g.setInterval = guardedTimer("setInterval", real.setInterval);
  g.setImmediate = guardedTimer("setImmediate", real.setImmediate);
  g.fetch = guardedFetch;
  Math.random = () => (current ? current.random() : real.random());
  g.Date = VirtualDate;
  performance.now = () => (current ? current.now() : real.performanceNow());
  globalThis.crypto.randomUUID = () => (current ? uuidFrom(current.random) : real.randomUUID());
  globalThis.crypto.getRandomValues = (<T extends ArrayBufferView | null>(array: T): T => (current && array ? fill(array, current.random) : real.getRandomValues(array as never))) as typeof globalThis.crypto.getRandomValues;
  nodeCrypto.randomUUID = ((options?: unknown) => (current ? uuidFrom(current.random) : real.nodeRandomUUID(options as never))) as typeof nodeCrypto.randomUUID;
  nodeCrypto.randomBytes = ((size: number, callback?: unknown) =>
    current && callback === undefined ? fill(Buffer.alloc(size), current.random) : real.nodeRandomBytes(size, callback as never)) as typeof nodeCrypto.randomBytes;
  syncBuiltinESMExports();
}

function uninstall(): void {
  const g = globalThis as Record<string, unknown>;
  g.setTimeout = real.setTimeout;
  g.setInterval = real.setInterval;
  g.setImmediate = real.setImmediate;
  g.fetch = real.fetch;
  Math.random = real.random;
  g.Date = real.Date;
  performance.now = real.performanceNow;
  globalThis.crypto.randomUUID = real.randomUUID;
  globalThis.crypto.getRandomValues = real.getRandomValues;
  nodeCrypto.randomUUID = real.nodeRandomUUID;
  nodeCrypto.randomBytes = real.nodeRandomBytes;
  syncBuiltinESMExports();
  current = undefined;
}

/** `Date` on the run's virtual clock: `new Date()`, `Date()` and `Date.now()` read it; everything else is Date's own. */
const VirtualDate = function (this: unknown, ...args: unknown[]) {
  const now = current ? VIRTUAL_EPOCH + current.now() : undefined;
  if (!new.target) return new real.Date(now ?? real.Date.now()).toString();
  return Reflect.construct(real.Date, args.length === 0 && now !== undefined ? [now] : args, new.target);
} as unknown as DateConstructor;
Object.setPrototypeOf(VirtualDate, real.Date);
(VirtualDate as { prototype: Date }).prototype = real.Date.prototype;
VirtualDate.now = () => (current ? VIRTUAL_EPOCH + current.now() : real.Date.now());

/**
 * A timer function that, inside a schedule, reports the call and does not schedule it (its
 * callback would run on the wall clock, outside every schedule); outside one, is the real one.
 */
function guardedTimer<F extends (...args: never[]) => unknown>(api: string, fn: F): F {
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const sink = current;
    if (sink === undefined) return (fn as unknown as (...a: unknown[]) => unknown).apply(this, args);
    const ms = api === "setImmediate" ? "" : `, ${typeof args[1] === "number" ? args[1] : 0} ms`;
    sink.onEscape({ api, call: `${api}(…${ms})` });
    // A handle that does nothing: the run ends at this step, so nothing waits for it.
    return inertHandle();
  };
  return wrapper as unknown as F;
}

/** `fetch` inside a schedule reaches a network racelab does not own: a finding; the promise never settles. */
function guardedFetch(this: unknown, input: unknown, init?: unknown): Promise<Response> {
  if (current === undefined) return real.fetch.call(globalThis, input as never, init as never);
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : ((input as { url?: string })?.url ?? "?");
  current.onEscape({ api: "fetch", call: `fetch(${url})` });
  return new Promise<Response>(() => {});
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

function fill<T extends ArrayBufferView>(array: T, random: () => number): T {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return array;
}

function uuidFrom(random: () => number): `${string}-${string}-${string}-${string}-${string}` {
  const b = fill(new Uint8Array(16), random);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
