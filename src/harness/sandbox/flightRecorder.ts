/**
 * What a sandbox worker leaves behind if it never comes back: a heartbeat and, per schedule
 * running in it, the index (in its ready set) of every point it released. Shared memory, so
 * the main thread can read it after the worker spun forever or ran out of memory and had to
 * be terminated. Replaying the indices reproduces the schedule up to the step that never
 * returned (runs are deterministic, and a run that is not is itself a finding).
 *
 * Layout (Int32): [0] heartbeat (bumped at every step), [1] the slot of the schedule that
 * resumed last (+1; 0 = none), [2] slots, [3] capacity (steps per slot); then per slot
 * `[schedule number, steps, index_1 .. index_capacity]`.
 */
export class FlightRecorder {
  readonly words: Int32Array;

  constructor(
    /** Schedules that may run at once (an exploration's batch). */
    slots: number,
    /** The longest schedule in steps (the step limit). */
    capacity: number,
    buffer?: SharedArrayBuffer,
  ) {
    this.words = new Int32Array(buffer ?? new SharedArrayBuffer(4 * (4 + slots * (capacity + 2))));
    if (!buffer) {
      this.words[2] = slots;
      this.words[3] = capacity;
    }
  }

  get buffer(): SharedArrayBuffer {
    return this.words.buffer as SharedArrayBuffer;
  }

  get slots(): number {
    return this.words[2]!;
  }

  get capacity(): number {
    return this.words[3]!;
  }

  /** The heartbeat: changes whenever the worker makes progress. */
  get heartbeat(): number {
    return Atomics.load(this.words, 0);
  }

  beat(): void {
    Atomics.add(this.words, 0, 1);
  }

  /** A schedule starts in `slot`. */
  start(slot: number, schedule: number): void {
    const base = this.base(slot);
    this.words[base] = schedule;
    this.words[base + 1] = 0;
    this.resume(slot);
  }

  /** The schedule in `slot` runs now: code that never returns from here on is its. */
  resume(slot: number): void {
    this.words[1] = slot + 1;
    this.beat();
  }

  /** The schedule in `slot` releases the point at `index` of its ready set. */
  step(slot: number, index: number): void {
    const base = this.base(slot);
    const steps = this.words[base + 1]!;
    if (steps < this.capacity) this.words[base + 2 + steps] = index;
    this.words[base + 1] = steps + 1;
    this.beat();
  }

  /** The schedule that ran last, and the indices it released (the last one never returned). */
  last(): { readonly schedule: number; readonly indices: readonly number[] } | undefined {
    const slot = this.words[1]! - 1;
    if (slot < 0) return undefined;
    const base = this.base(slot);
    const steps = Math.min(this.words[base + 1]!, this.capacity);
    return { schedule: this.words[base]!, indices: Array.from(this.words.subarray(base + 2, base + 2 + steps)) };
  }

  private base(slot: number): number {
    return 4 + (slot % this.slots) * (this.capacity + 2);
  }
}
