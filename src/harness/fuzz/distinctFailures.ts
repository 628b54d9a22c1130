import type { FuzzFailure } from "./fuzzTask.ts";

/** A distinct failure: the first scenario that showed it, and how often it was seen in all. */
export interface DistinctFailure {
  readonly index: number;
  readonly scenarioName: string;
  readonly features: string;
  readonly failure: FuzzFailure;
  readonly occurrences: number;
  /** Every scenario index it was seen in, ascending (`occurrences` of them). */
  readonly indices: readonly number[];
  /**
   * The invariants its occurrences were shrunk on (one race, seen through several): the
   * representative's first, then the others in name order, so no order of `add` changes it.
   */
  readonly seenAs: readonly string[];
}

/**
 * What makes two failures the same failure. Every place that deduplicates fuzz failures (the
 * campaign as outcomes arrive, `racelab merge` across shards) goes through this one function,
 * so a change of key changes both alike. It must be a function of the failure alone, never of
 * which scenarios came before it: that is what lets shards dedupe on their own and a merge
 * dedupe their representatives again, with the result one machine would have had.
 */
export function failureKey(failure: FuzzFailure): string {
  return failure.signature;
}

/**
 * Distinct failures by {@link failureKey}: for each key the one with the lowest scenario
 * index, and the occurrences (and indices) of all that were added under it. Neither depends on the order
 * of `add`, so the campaign (which adds in index order, one occurrence at a time) and a merge
 * (which adds each shard's representatives with their counts) end with the same list.
 */
export class DistinctFailures<T extends DistinctFailure = DistinctFailure> {
  private readonly byKey = new Map<string, T>();

  /** Adds `d` (with its `occurrences`); extra fields of T travel with the lowest index. */
  add(d: T): void {
    const key = failureKey(d.failure);
    const seen = this.byKey.get(key);
    if (!seen) {
      this.byKey.set(key, d);
      return;
    }
    const first = d.index < seen.index ? d : seen;
    const indices = [...seen.indices, ...d.indices].sort((a, b) => a - b);
    const others = [...new Set([...seen.seenAs, ...d.seenAs])].filter((inv) => inv !== first.failure.invariant).sort();
    this.byKey.set(key, { ...first, occurrences: seen.occurrences + d.occurrences, indices, seenAs: [first.failure.invariant, ...others] });
  }

  /** The number of distinct failures so far. */
  get size(): number {
    return this.byKey.size;
  }

  /**
   * The distinct failures in order of their scenario index, and of their signatures within
   * one scenario (which shows several when it violates several invariants): an order that no
   * order of `add` changes.
   */
  list(): T[] {
    return [...this.byKey.values()].sort((a, b) => a.index - b.index || compare(failureKey(a.failure), failureKey(b.failure)));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
