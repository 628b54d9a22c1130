import { Interrupted, type PointOptions } from "../port.ts";

/** A scheduling point waiting to be released, as strategies see it. */
export interface ReadyPoint {
  /** Creation order within the run; ready sets are sorted by it. */
  readonly id: number;
  /** Stable label, unique within the ready set. Schedules record choices by label. */
  readonly label: string;
  /** The actor that waits on it (the label up to its first space, without a trailing ':'). */
  readonly actor: string;
}

/** The actor of a label: `"a: prompt s1"` -> `a`, `"s1.run2 llm"` -> `s1.run2`. */
export function actorOf(label: string): string {
  const space = label.indexOf(" ");
  const head = space < 0 ? label : label.slice(0, space);
  return head.endsWith(":") ? head.slice(0, -1) : head;
}

interface PendingPoint extends ReadyPoint {
  readonly resolve: () => void;
  readonly detach: () => void;
}

/**
 * Owns the scheduling points of one run. The program under test creates points; nothing it
 * awaits resolves until {@link release} is called for it. Together with {@link quiescence}
 * this gives the complete ready set after every step.
 */
export class VirtualScheduler {
  /** invariant: insertion order = creation order; keys are unique labels. */
  private readonly pending = new Map<string, PendingPoint>();
  private nextID = 0;

  /** @param onInterrupt called when an aborted signal takes a waiting point out of the ready set. */
  constructor(private readonly onInterrupt?: (label: string) => void) {}

  /** Creates a point; the promise settles when released (or rejects when its signal aborts). */
  point(label: string, options?: PointOptions): Promise<void> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(new Interrupted(label));
    const unique = this.uniqueLabel(label);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        if (this.pending.delete(unique)) {
          this.onInterrupt?.(unique);
          reject(new Interrupted(label));
        }
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(unique, {
        id: this.nextID++,
        label: unique,
        actor: actorOf(label),
        resolve,
        detach: () => signal?.removeEventListener("abort", onAbort),
      });
    });
  }

  /** The ready set, in creation order. */
  ready(): ReadyPoint[] {
    return [...this.pending.values()];
  }

  /** Number of ready points. */
  get size(): number {
    return this.pending.size;
  }

  /** Releases the point with this label; its waiter runs on the next microtask. */
  release(label: string): void {
    const p = this.pending.get(label);
    if (!p) throw new Error(`no ready point '${label}'`);
    this.pending.delete(label);
    p.detach();
    p.resolve();
  }

  /** Two points of one actor are never ready at once; a duplicate label still gets a stable name. */
  private uniqueLabel(label: string): string {
    if (!this.pending.has(label)) return label;
    for (let n = 2; ; n++) {
      const candidate = `${label} (${n})`;
      if (!this.pending.has(candidate)) return candidate;
    }
  }
}

/**
 * Resolves once every microtask queued so far, and every microtask those queue, has run:
 * Node drains the whole microtask queue before it runs the next macrotask. This is exact,
 * not a tick-count heuristic. (A program that queues microtasks forever never gets here;
 * the runner port forbids that by making every await a scheduling point.)
 */
export function quiescence(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
