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
  /** {@link independent}'s cache of the keys as interned numbers; rebuilt when the sets have grown. */
  keys?: InternedKeys;
}

/** An empty footprint. */
export function emptyFootprint(): Footprint {
  return { reads: new Set(), writes: new Set(), global: false };
}

/** `store:s1` covers `store:s1/msg_3`; a bare `status` covers every `status:<sid>`. */
function covers(outer: string, inner: string): boolean {
  const n = outer.length;
  if (inner.length <= n || !inner.startsWith(outer)) return false;
  const next = inner.charCodeAt(n);
  return next === SLASH || (next === COLON && !outer.includes(":"));
}

const SLASH = "/".charCodeAt(0);
const COLON = ":".charCodeAt(0);

/** Two keys name overlapping state: equal, or one covers the other. */
export function keysOverlap(x: string, y: string): boolean {
  return x === y || covers(x, y) || covers(y, x);
}

/**
 * Two steps are independent (they commute: either order reaches the same state and the same
 * invariant observations) when neither writes what the other reads or writes.
 *
 * The search asks this of every pair of steps in a schedule, so the keys are compared as
 * interned numbers, and whether two keys overlap is computed once per pair of keys.
 */
export function independent(a: Footprint, b: Footprint): boolean {
  if (a.global || b.global) return false;
  if (a.reads.size + a.writes.size + b.reads.size + b.writes.size > MAX_KEYS / 2) return independentByName(a, b);
  let ka = internedKeys(a);
  const kb = internedKeys(b);
  // Interning b may have started a new epoch.
  if (ka.epoch !== kb.epoch) ka = internedKeys(a);
  return !meets(ka.writes, kb.touched) && !meets(kb.writes, ka.reads);
}

/** {@link independent} over the key names themselves, for footprints too large to intern. */
function independentByName(a: Footprint, b: Footprint): boolean {
  const overlaps = (xs: ReadonlySet<string>, ys: ReadonlySet<string>) => {
    for (const x of xs) for (const y of ys) if (keysOverlap(x, y)) return true;
    return false;
  };
  return !overlaps(a.writes, b.writes) && !overlaps(a.writes, b.reads) && !overlaps(b.writes, a.reads);
}

/** A footprint's keys as numbers of the interner of one {@link epoch}. */
export interface InternedKeys {
  readonly epoch: number;
  readonly readsSize: number;
  readonly writesSize: number;
  readonly reads: Int32Array;
  readonly writes: Int32Array;
  /** Reads and writes. */
  readonly touched: Int32Array;
}

/**
 * Interned keys: a run's keys name sessions, messages and parts, a few dozen in a scenario. The
 * table is bounded: past {@link MAX_KEYS} it starts over in a new epoch, and footprints
 * interned in an older one are interned again when next compared.
 */
const MAX_KEYS = 1024;
let epoch = 0;
let ids = new Map<string, number>();
let names: string[] = [];
/** overlap[x] for key x: per key y, 0 not yet known, 1 disjoint, 2 overlapping. */
let overlap: (Uint8Array | undefined)[] = [];

function internedKeys(f: Footprint): InternedKeys {
  const known = f.keys;
  if (known !== undefined && known.epoch === epoch && known.readsSize === f.reads.size && known.writesSize === f.writes.size) return known;
  if (ids.size + f.reads.size + f.writes.size > MAX_KEYS) {
    epoch += 1;
    ids = new Map();
    names = [];
    overlap = [];
  }
  const reads = new Int32Array(f.reads.size);
  const writes = new Int32Array(f.writes.size);
  const touched = new Int32Array(reads.length + writes.length);
  let r = 0;
  for (const key of f.reads) touched[r] = reads[r++] = intern(key);
  let w = 0;
  for (const key of f.writes) touched[r + w] = writes[w++] = intern(key);
  const keys: InternedKeys = { epoch, readsSize: f.reads.size, writesSize: f.writes.size, reads, writes, touched };
  f.keys = keys;
  return keys;
}

function intern(key: string): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = names.length;
    ids.set(key, id);
    names.push(key);
  }
  return id;
}

/** Some key of `xs` overlaps some key of `ys`. */
function meets(xs: Int32Array, ys: Int32Array): boolean {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    let row = overlap[x];
    if (row === undefined) overlap[x] = row = new Uint8Array(MAX_KEYS);
    for (let k = 0; k < ys.length; k++) {
      const y = ys[k]!;
      let known = row[y]!;
      if (known === 0) row[y] = known = x === y || keysOverlap(names[x]!, names[y]!) ? 2 : 1;
      if (known === 2) return true;
    }
  }
  return false;
}
