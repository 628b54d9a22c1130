/**
 * What one step read and wrote of the shared state, as the runner reported it through
 * `RunnerPort.touch`. Keys are paths: `store:s1` covers `store:s1/msg_3`, and a bare `status`
 * covers `status:s1`.
 */
export interface Footprint {
  readonly reads: Set<string>;
  readonly writes: Set<string>;
  /** The step did something that conflicts with everything (it interrupted a waiting point). */
  global: boolean;
  /**
   * Labels of waiting points the step took out of the ready set without releasing them (an
   * interrupt, a cancelled task, a cleared timer that was due next): they never ran.
   */
  disabled?: string[];
}

/** An empty footprint. */
export function emptyFootprint(): Footprint {
  return { reads: new Set(), writes: new Set(), global: false };
}

/** `store:s1` covers `store:s1/msg_3`; a bare `status` covers every `status:<sid>`. */
function covers(outer: string, inner: string): boolean {
  return inner.startsWith(`${outer}/`) || (!outer.includes(":") && inner.startsWith(`${outer}:`));
}

/** Two keys name overlapping state: equal, or one covers the other. */
export function keysOverlap(x: string, y: string): boolean {
  return x === y || covers(x, y) || covers(y, x);
}

function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) {
    for (const y of b) {
      if (keysOverlap(x, y)) return true;
    }
  }
  return false;
}

/**
 * Two steps are independent (they commute: either order reaches the same state and the same
 * invariant observations) when neither writes what the other reads or writes.
 */
export function independent(a: Footprint, b: Footprint): boolean {
  if (a.global || b.global) return false;
  return !overlaps(a.writes, b.writes) && !overlaps(a.writes, b.reads) && !overlaps(b.writes, a.reads);
}
