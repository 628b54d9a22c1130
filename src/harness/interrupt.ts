import { realSetImmediate } from "./explore/uncontrolled.ts";

/**
 * A request to stop early (Ctrl-C), readable from any thread: one word of shared memory, so a
 * sandbox worker sees the main thread's request without a message round trip. Explorations
 * stop between schedules and report what ran; nothing inside a schedule reads it, so a run's
 * result never depends on it.
 */
export class Interrupt {
  private readonly word: Int32Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.word = new Int32Array(buffer ?? new SharedArrayBuffer(4));
  }

  get buffer(): SharedArrayBuffer {
    return this.word.buffer as SharedArrayBuffer;
  }

  get requested(): boolean {
    return Atomics.load(this.word, 0) !== 0;
  }

  request(): void {
    Atomics.store(this.word, 0, 1);
  }
}

/**
 * Lets the event loop turn (signals are delivered there) between batches of schedules,
 * which otherwise run on microtasks only. Real setImmediate: this is outside every run.
 */
export function letSignalsIn(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}
