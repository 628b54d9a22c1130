import { independent, type Footprint } from "../Footprint.ts";

/** A set of step indexes below some bound, as 32-bit words. */
export class StepSet {
  private readonly words: Uint32Array;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1);
  }

  has(i: number): boolean {
    const w = i >>> 5;
    return w < this.words.length && (this.words[w]! & (1 << (i & 31))) !== 0;
  }

  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }

  /** Adds every member of `other` (whose size is at most this one's). */
  addAll(other: StepSet): void {
    const o = other.words;
    for (let w = 0; w < o.length; w++) this.words[w]! |= o[w]!;
  }

  /** Some step is in both. */
  meets(other: StepSet): boolean {
    const o = other.words;
    const n = Math.min(o.length, this.words.length);
    for (let w = 0; w < n; w++) if ((this.words[w]! & o[w]!) !== 0) return true;
    return false;
  }
}

/** One executed step as the happens-before analysis sees it. */
export interface StepFacts {
  /** The 0-based step that created the released point, or -1 when it existed before the first step. */
  readonly born: number;
  readonly footprint: Footprint;
  /** Every earlier step that happens before this one (filled by {@link analyseStep}). */
  readonly before: StepSet;
}

/**
 * Happens-before over one schedule's steps: step i happens before step j (i < j) when j
 * releases a point that i created (the program order of j's continuation), when the two
 * conflict (their footprints are dependent), or through a chain of those.
 *
 * Fills `steps[j].before` from the earlier steps' sets and returns the steps that are in a
 * race with j (Abdulla et al., POPL 2014, section 3): i < j, i and j conflict, j's point is not
 * i's creation, and no step between them is after i and before j. Those are the pairs whose
 * order a reduced search must also try reversed. Scanning the conflicts from the latest down,
 * a conflicting i that some later direct predecessor already covers is not a race, and the
 * set of a covered step need not be added again: each step costs a few word operations per
 * direct predecessor, not a walk of the whole history.
 */
export function analyseStep(steps: readonly StepFacts[], j: number): number[] {
  const me = steps[j]!;
  const before = me.before;
  const races: number[] = [];
  for (let i = j - 1; i >= 0; i--) {
    const other = steps[i]!;
    if (before.has(i)) continue;
    const created = i === me.born;
    if (!created && independent(other.footprint, me.footprint)) continue;
    if (!created) races.push(i);
    before.add(i);
    before.addAll(other.before);
  }
  return races;
}

/**
 * The reversal of the race (i, j): `notdep(i, E).j`, the steps after i that do not happen
 * after i, followed by j, in schedule order; and its initials, those of them that no earlier
 * one of them happens before. Any initial, run at the state before step i, starts an execution
 * that reverses the race; the rest of the sequence is a way to go on that reaches it.
 */
export function reversalOf(steps: readonly StepFacts[], i: number, j: number): { sequence: number[]; initials: number[] } {
  const taken = new StepSet(j + 1);
  const sequence: number[] = [];
  const initials: number[] = [];
  for (let k = i + 1; k <= j; k++) {
    const facts = steps[k]!;
    if (k < j && facts.before.has(i)) continue;
    if (!facts.before.meets(taken)) initials.push(k);
    taken.add(k);
    sequence.push(k);
  }
  return { sequence, initials };
}
