import { Interrupted, type PointOptions, type RunnerVariant, type TaskHandle, type TimerHandle, type TimerOptions, type Timers } from "../../boundaries/port.ts";
import { realSetImmediate } from "../explore/uncontrolled.ts";
import { createWorld, type WorldOptions } from "../scenario/createWorld.ts";
import type { Scenario } from "../scenario/schema.ts";

/** A waiting point or a timer of the floor scheduler, by its unique label. */
interface Waiting {
  readonly label: string;
  /** The label as asked for, for the interrupt's message. */
  readonly asked: string;
  readonly resolve: () => void;
  readonly reject: ((error: Interrupted) => void) | undefined;
  readonly timer: FloorTimer | undefined;
}

interface FloorTimer {
  readonly due: number;
  readonly every: number | undefined;
  readonly unref: boolean;
  readonly handle: TimerHandle;
  /** Fired in the same tick as the timer released before it: time is already its due time. */
  tied: boolean;
}

/**
 * The least a scheduler can do and still replay a schedule racelab ran: points wait in a map by
 * label until the schedule names them, timers are points with a due time, an aborted signal
 * rejects its waiting points. No trace, no invariant, no footprint, no hashing, no control of
 * Math.random or the wall clock. Labels and virtual time are racelab's own (VirtualScheduler):
 * a duplicate label gets the same ` (n)` suffix, releasing a timer moves time to its due time
 * and the other timers due then become plain points, and a timer set at 0 ms while a released
 * timer fires is due 1 ms later (as the fake clock has it). So the runner sees what it saw under
 * racelab, and `racelab bench` can price racelab against exactly the same work.
 */
export class FloorScheduler {
  /** In creation order; a scan of a handful of labels costs less than hashing every new one. */
  private readonly waiting: Waiting[] = [];
  private readonly bySignal = new Map<AbortSignal, Waiting[]>();
  private readonly byHandle = new Map<TimerHandle, string>();
  private time = 0;
  private ticking = false;

  point(label: string, options?: PointOptions): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(new Interrupted(label));
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = { label: this.unique(label), asked: label, resolve, reject: signal && reject, timer: undefined };
      this.waiting.push(entry);
      if (signal) this.waitOn(signal, entry);
    });
  }

  task(label: string, run: () => void): TaskHandle {
    const entry: Waiting = { label: this.unique(label), asked: label, resolve: run, reject: undefined, timer: undefined };
    this.waiting.push(entry);
    return { cancel: () => this.drop(entry) };
  }

  readonly timers: Timers = {
    setTimeout: (label, ms, callback, options) => this.setTimer(label, ms, callback, options, undefined, { label }),
    setInterval: (label, ms, callback, options) => this.setTimer(label, ms, callback, options, Math.max(1, ms), { label }),
    clearTimeout: (handle) => this.clearTimer(handle),
    clearInterval: (handle) => this.clearTimer(handle),
    now: () => this.time,
  };

  /** Releases the point or timer with this label; false if there is none (the replay diverged). */
  release(label: string): boolean {
    const at = this.indexOf(label);
    if (at < 0) return false;
    const entry = this.waiting[at]!;
    removeAt(this.waiting, at);
    const timer = entry.timer;
    if (timer === undefined || timer.tied) {
      entry.resolve();
      return true;
    }
    // A tick to the timer's due time: every other timer due by then fires in it, as a point.
    this.time = timer.due;
    for (const other of this.waiting) if (other.timer !== undefined && other.timer.due <= this.time) other.timer.tied = true;
    this.ticking = true;
    try {
      entry.resolve();
    } finally {
      this.ticking = false;
    }
    return true;
  }

  /** Nothing is left that keeps the program alive (unref'd timers aside). */
  get atRest(): boolean {
    for (const entry of this.waiting) if (entry.timer === undefined || !entry.timer.unref) return false;
    return true;
  }

  private setTimer(label: string, ms: number, callback: () => void, options: TimerOptions | undefined, every: number | undefined, handle: TimerHandle): TimerHandle {
    const delay = Math.max(0, Math.floor(ms)) || (this.ticking ? 1 : 0);
    const timer: FloorTimer = { due: this.time + delay, every, unref: options?.unref ?? false, handle, tied: false };
    const unique = this.unique(label);
    const fire = () => {
      this.byHandle.delete(handle);
      if (every !== undefined) this.setTimer(unique, every, callback, options, every, handle);
      callback();
    };
    this.waiting.push({ label: unique, asked: label, resolve: fire, reject: undefined, timer });
    this.byHandle.set(handle, unique);
    return handle;
  }

  private clearTimer(handle: TimerHandle): void {
    const label = this.byHandle.get(handle);
    if (label === undefined) return;
    this.byHandle.delete(handle);
    const at = this.indexOf(label);
    if (at >= 0) removeAt(this.waiting, at);
  }

  private waitOn(signal: AbortSignal, entry: Waiting): void {
    let list = this.bySignal.get(signal);
    if (list === undefined) {
      const waiters: Waiting[] = (list = []);
      this.bySignal.set(signal, waiters);
      const onAbort = () => {
        for (const w of waiters.splice(0)) if (this.drop(w)) w.reject!(new Interrupted(w.asked));
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }
    list.push(entry);
  }

  private unique(label: string): string {
    if (this.indexOf(label) < 0) return label;
    for (let n = 2; ; n++) {
      const candidate = `${label} (${n})`;
      if (this.indexOf(candidate) < 0) return candidate;
    }
  }

  private indexOf(label: string): number {
    const waiting = this.waiting;
    for (let i = 0; i < waiting.length; i++) if (waiting[i]!.label === label) return i;
    return -1;
  }

  /** Takes a point out if it is still waiting. */
  private drop(entry: Waiting): boolean {
    const at = this.waiting.indexOf(entry);
    if (at < 0) return false;
    removeAt(this.waiting, at);
    return true;
  }
}

/** What replaying a set of schedules on the floor scheduler did. */
export interface FloorReplay {
  readonly schedules: number;
  readonly steps: number;
  /** Schedules whose next label was not waiting, or that were not at rest after their last step. */
  readonly diverged: number;
}

/**
 * Runs each schedule's choices (released labels, in order) on the {@link FloorScheduler}:
 * a macrotask between steps, as racelab has (every microtask of a step runs before the next),
 * `concurrency` schedules at a time, as `explore` runs them. `atRest[i]`: schedule i ended at
 * rest under racelab, so nothing may be left waiting after its last step here either.
 */
export async function replayOnFloor(
  scenario: Scenario,
  runner: RunnerVariant,
  schedules: readonly (readonly string[])[],
  atRest: readonly boolean[],
  concurrency: number,
  world: WorldOptions = {},
): Promise<FloorReplay> {
  let steps = 0;
  let diverged = 0;
  for (let first = 0; first < schedules.length; first += concurrency) {
    const batch = schedules.slice(first, first + concurrency).map((choices, i) => replayOne(scenario, runner, choices, atRest[first + i] ?? false, world));
    for (const ok of await Promise.all(batch)) if (!ok) diverged += 1;
  }
  for (const choices of schedules) steps += choices.length;
  return { schedules: schedules.length, steps, diverged };
}

function replayOne(scenario: Scenario, runner: RunnerVariant, choices: readonly string[], atRest: boolean, options: WorldOptions): Promise<boolean> {
  const floor = new FloorScheduler();
  const world = createWorld(
    scenario,
    runner,
    { point: (label, o) => floor.point(label, o), task: (label, run) => floor.task(label, run), now: () => floor.timers.now(), timers: floor.timers, emit: () => {} },
    options,
  );
  return new Promise<boolean>((resolve) => {
    let step = 0;
    const next = () => {
      if (step === choices.length) return resolve(!atRest || floor.atRest);
      let released: boolean;
      try {
        released = floor.release(choices[step++]!);
      } catch {
        // A timer callback threw: under racelab that was a runner-error finding; here the replay is off.
        released = false;
      }
      if (!released) return resolve(false);
      realSetImmediate(next);
    };
    world.start();
    realSetImmediate(next);
  });
}

/** `list.splice(at, 1)` without allocating the array of removed items. */
function removeAt<T>(list: T[], at: number): void {
  for (let i = at + 1; i < list.length; i++) list[i - 1] = list[i]!;
  list.length -= 1;
}
