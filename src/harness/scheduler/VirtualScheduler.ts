import FakeTimers from "@sinonjs/fake-timers";
import { realSetImmediate } from "../explore/uncontrolled.ts";
import { Interrupted, type PointOptions, type TaskHandle, type TimerHandle, type TimerOptions, type Timers } from "../../boundaries/port.ts";

/** A scheduling point waiting to be released, as strategies see it. */
export interface ReadyPoint {
  /** Creation order within the run; ready sets are sorted by it. */
  readonly id: number;
  /** Stable label, unique within the ready set. Schedules record choices by label. */
  readonly label: string;
  /** The actor that waits on it (the label up to its first space, without a trailing ':'). */
  readonly actor: string;
  /**
   * The step during which it was created (0: before the first), when the scheduler is told
   * the step: the release of a point always comes after the step that made it, which is the
   * program order of its continuation (see src/harness/explain/).
   */
  readonly born?: number;
}

/** The actor of a label: `"a: prompt s1"` -> `a`, `"s1.run2 llm"` -> `s1.run2`. */
export function actorOf(label: string): string {
  const space = label.indexOf(" ");
  const head = space < 0 ? label : label.slice(0, space);
  return head.endsWith(":") ? head.slice(0, -1) : head;
}

interface PendingPoint extends ReadyPoint {
  readonly resolve: () => void;
  /** Rejects the waiter with an interrupt; set for points made with a signal. */
  readonly reject: ((error: Interrupted) => void) | undefined;
  /** The label as asked for (before {@link VirtualScheduler.uniqueLabel}), for the interrupt's message. */
  readonly asked: string;
  /** The waiting points of this point's signal, which it leaves when released. */
  readonly waiters: PendingPoint[] | undefined;
}

/** A timer set through {@link Timers}: owned by the fake clock until it is due. */
interface PendingTimer extends ReadyPoint {
  /** What setTimeout/setInterval returned; an interval keeps it across firings. */
  readonly handle: TimerHandle;
  /** Virtual time (ms) at which the fake clock fires it. */
  readonly due: number;
  readonly unref: boolean;
  /** setInterval: the period; the timer is set again after each firing. */
  readonly every?: number;
  readonly callback: () => void;
  /** The fake clock's id, for clearTimeout. */
  readonly fakeID: unknown;
}

type Clock = ReturnType<typeof FakeTimers.createClock>;

/**
 * Owns the scheduling points of one run. The program under test creates points; nothing it
 * awaits resolves until {@link release} is called for it. Together with {@link quiescence}
 * this gives the complete ready set after every step.
 */
export class VirtualScheduler {
  /**
   * invariant: insertion order = creation order; labels are unique (across points and timers).
   * An array, not a map by label: a ready set holds a handful of points, a scan of it costs
   * less than hashing each new label, and a map whose entries come and go every step keeps
   * reallocating its table.
   */
  private readonly pending: PendingPoint[] = [];
  /** Timers the fake clock has not fired yet, by unique label. */
  private readonly timerMap = new Map<string, PendingTimer>();
  private nextID = 0;
  /** Created on first use: most runs set no timer. Virtual time starts at 0. */
  private clock: Clock | undefined;
  /** Timers the clock fired in a tie, now ordinary ready points: handle -> label. */
  private readonly converted = new Map<TimerHandle, string>();
  /** The timer being released while the fake clock ticks to it. */
  private releasing: string | undefined;
  /**
   * One abort listener per signal, not per point: a run's every point carries the run's signal,
   * and adding and removing a listener per point cost more than the rest of the point. The list
   * holds the signal's waiting points in creation order, the order their listeners fired in.
   */
  private readonly signals = new Map<AbortSignal, { readonly waiters: PendingPoint[]; readonly onAbort: () => void }>();

  /**
   * @param onInterrupt called when an aborted signal takes a waiting point out of the ready set.
   * @param stepNow the step being run, stamped on each point created (see {@link ReadyPoint.born}).
   * @param onDisable called when a ready point leaves the ready set without being released: an
   *   interrupt, a cancelled task, or a cleared timer that was due next (partial-order reduction
   *   must know of points that never ran).
   */
  constructor(
    private readonly onInterrupt?: (label: string) => void,
    private readonly stepNow?: () => number,
    private readonly onDisable?: (label: string) => void,
  ) {}

  /** Creates a point; the promise settles when released (or rejects when its signal aborts). */
  point(label: string, options?: PointOptions): Promise<void> {
    const signal = options?.signal;
    if (signal === undefined) {
      return new Promise<void>((resolve) => this.add(label, resolve, undefined, undefined));
    }
    if (signal.aborted) return Promise.reject(new Interrupted(label));
    const waiters = this.waitersOf(signal);
    return new Promise<void>((resolve, reject) => waiters.push(this.add(label, resolve, reject, waiters)));
  }

  private add(label: string, resolve: () => void, reject: PendingPoint["reject"], waiters: PendingPoint["waiters"]): PendingPoint {
    const unique = this.uniqueLabel(label);
    const entry: PendingPoint = { id: this.nextID++, label: unique, actor: actorOf(label), born: this.stepNow?.(), resolve, reject, asked: label, waiters };
    this.pending.push(entry);
    return entry;
  }

  /** The signal's waiting points; the first point made with it registers the scheduler's one listener. */
  private waitersOf(signal: AbortSignal): PendingPoint[] {
    const known = this.signals.get(signal);
    if (known !== undefined) return known.waiters;
    const waiters: PendingPoint[] = [];
    const onAbort = () => {
      for (const p of waiters.splice(0)) {
        remove(this.pending, p);
        this.onInterrupt?.(p.label);
        this.onDisable?.(p.label);
        p.reject!(new Interrupted(p.asked));
      }
    };
    signal.addEventListener("abort", onAbort, { once: true });
    this.signals.set(signal, { waiters, onAbort });
    return waiters;
  }

  /**
   * Takes the scheduler's listeners off every signal it has seen. A run's signals usually die
   * with the run; one that outlives it (a module-level controller) would otherwise keep a
   * listener of every run that used it.
   */
  dispose(): void {
    this.signals.forEach(({ onAbort }, signal) => signal.removeEventListener("abort", onAbort));
    this.signals.clear();
  }

  /**
   * Creates a point whose release calls `run` synchronously (see `RunnerPort.task`). Its
   * handle's `cancel` takes it out of the ready set, reported like an interrupted point.
   */
  task(label: string, run: () => void): TaskHandle {
    const unique = this.uniqueLabel(label);
    const entry: PendingPoint = { id: this.nextID++, label: unique, actor: actorOf(label), born: this.stepNow?.(), resolve: run, reject: undefined, asked: label, waiters: undefined };
    this.pending.push(entry);
    return {
      cancel: () => {
        if (!remove(this.pending, entry)) return;
        this.onInterrupt?.(unique);
        this.onDisable?.(unique);
      },
    };
  }

  /**
   * The ready set, in creation order: every waiting point, plus the timers that are due
   * next (earliest due time; ties all offered). A later timer is never ready before an
   * earlier one, but any timer may fire before any point: time advances only by choice.
   */
  ready(): ReadyPoint[] {
    const points: ReadyPoint[] = this.pending.slice();
    if (this.timerMap.size === 0) return points;
    let min = Number.POSITIVE_INFINITY;
    for (const t of this.timerMap.values()) min = Math.min(min, t.due);
    for (const t of this.timerMap.values()) if (t.due === min) points.push(t);
    return points.sort((a, b) => a.id - b.id);
  }

  /** Number of ready points (timers not counted). */
  get size(): number {
    return this.pending.length;
  }

  /**
   * Something can still happen that keeps the program alive: a waiting point or a timer that
   * is not unref'd. When only unref'd timers are left the program is at rest (as Node exits).
   */
  get alive(): boolean {
    if (this.pending.length > 0) return true;
    for (const t of this.timerMap.values()) if (!t.unref) return true;
    return false;
  }

  /** The label names a timer that the fake clock has not fired yet. */
  isTimer(label: string): boolean {
    return this.timerMap.size > 0 && this.timerMap.has(label);
  }

  /** Virtual time in ms: starts at 0, moves only when a timer is released. */
  now(): number {
    return this.clock?.now ?? 0;
  }

  /** Releases the point (or fires the timer) with this label; its waiter runs on the next microtask. */
  release(label: string): void {
    const at = this.indexOf(label);
    if (at >= 0) {
      this.releaseAt(at);
      return;
    }
    this.releaseTimer(label);
  }

  /** Releases a point of the last {@link ready} set: the same as releasing its label, without looking the label up. */
  releaseReady(point: ReadyPoint): void {
    const at = this.pending.indexOf(point as PendingPoint);
    if (at >= 0) this.releaseAt(at);
    else this.releaseTimer(point.label);
  }

  private releaseAt(at: number): void {
    const p = this.pending[at]!;
    removeAt(this.pending, at);
    if (p.waiters !== undefined) remove(p.waiters, p);
    p.resolve();
  }

  private releaseTimer(label: string): void {
    const t = this.timerMap.size > 0 ? this.timerMap.get(label) : undefined;
    if (!t) throw new Error(`no ready point '${label}'`);
    // The fake clock advances to the timer's due time and fires it, and any timer due at the
    // same instant; those become ordinary ready points (see `fired`).
    this.releasing = label;
    this.clockOf().tick(t.due - this.clockOf().now);
    this.releasing = undefined;
  }

  /** setTimeout/setInterval of the program under test, on the fake clock, as scheduling choices. */
  readonly timers: Timers = {
    setTimeout: (label, ms, callback, options) => this.setTimer(label, ms, callback, options),
    setInterval: (label, ms, callback, options) => this.setTimer(label, ms, callback, options, Math.max(1, ms)),
    clearTimeout: (handle) => this.clearTimer(handle),
    clearInterval: (handle) => this.clearTimer(handle),
    now: () => this.now(),
  };

  private setTimer(
    label: string,
    ms: number,
    callback: () => void,
    options: TimerOptions | undefined,
    every?: number,
    handle: TimerHandle = { label },
  ): TimerHandle {
    const clock = this.clockOf();
    const unique = this.uniqueLabel(label);
    // The fake clock schedules a 0 ms timer set during a tick 1 ms later; mirror it exactly.
    const delay = Math.max(0, Math.floor(ms)) || (this.releasing !== undefined ? 1 : 0);
    let timer: PendingTimer;
    const fakeID = clock.setTimeout(() => this.fired(timer), delay);
    timer = {
      id: this.nextID++,
      label: unique,
      actor: actorOf(label),
      born: this.stepNow?.(),
      due: clock.now + delay,
      unref: options?.unref ?? false,
      ...(every !== undefined && { every }),
      callback,
      fakeID,
      handle,
    };
    this.timerMap.set(unique, timer);
    return handle;
  }

  /** The fake clock fired `timer`: run it if it is the one released, else make it a ready point. */
  private fired(timer: PendingTimer): void {
    this.timerMap.delete(timer.label);
    const run = () => {
      this.converted.delete(timer.handle);
      if (timer.every !== undefined) this.setTimer(timer.label, timer.every, timer.callback, { unref: timer.unref }, timer.every, timer.handle);
      timer.callback();
    };
    if (timer.label === this.releasing) {
      run();
      return;
    }
    this.pending.push({ id: timer.id, label: timer.label, actor: timer.actor, born: timer.born, resolve: run, reject: undefined, asked: timer.label, waiters: undefined });
    this.converted.set(timer.handle, timer.label);
  }

  private clearTimer(handle: TimerHandle): void {
    for (const timer of this.timerMap.values()) {
      if (timer.handle !== handle) continue;
      if (this.onDisable !== undefined && this.dueNext(timer)) this.onDisable(timer.label);
      this.timerMap.delete(timer.label);
      this.clockOf().clearTimeout(timer.fakeID as number);
      return;
    }
    // Fired together with the released timer and waiting as a ready point.
    const label = this.converted.get(handle);
    if (label !== undefined) {
      this.converted.delete(handle);
      const at = this.indexOf(label);
      if (at >= 0) {
        removeAt(this.pending, at);
        this.onDisable?.(label);
      }
    }
  }

  /** The timer is in the ready set: no other timer is due before it. */
  private dueNext(timer: PendingTimer): boolean {
    for (const t of this.timerMap.values()) if (t.due < timer.due) return false;
    return true;
  }

  private clockOf(): Clock {
    this.clock ??= FakeTimers.createClock(0);
    return this.clock;
  }

  /** Two points of one actor are never ready at once; a duplicate label still gets a stable name. */
  private uniqueLabel(label: string): string {
    if (!this.taken(label)) return label;
    for (let n = 2; ; n++) {
      const candidate = `${label} (${n})`;
      if (!this.taken(candidate)) return candidate;
    }
  }

  private taken(label: string): boolean {
    return this.indexOf(label) >= 0 || (this.timerMap.size > 0 && this.timerMap.has(label));
  }

  /** Position of the waiting point with this label in {@link pending}, or -1. */
  private indexOf(label: string): number {
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) if (pending[i]!.label === label) return i;
    return -1;
  }
}

/** Takes `item` out of `list`; false if it was not in it. */
function remove<T>(list: T[], item: T): boolean {
  const at = list.indexOf(item);
  if (at < 0) return false;
  removeAt(list, at);
  return true;
}

/** `list.splice(at, 1)` without the array of removed items splice allocates (every step releases a point). */
function removeAt<T>(list: T[], at: number): void {
  for (let i = at + 1; i < list.length; i++) list[i - 1] = list[i]!;
  list.length -= 1;
}

/**
 * Resolves once every microtask queued so far, and every microtask those queue, has run:
 * Node drains the whole microtask queue before it runs the next macrotask. This is exact,
 * not a tick-count heuristic. (A program that queues microtasks forever never gets here;
 * the runner port forbids that by making every await a scheduling point.)
 */
export function quiescence(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}
