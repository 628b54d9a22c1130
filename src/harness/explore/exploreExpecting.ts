import { explore, type ExploreOptions, type ExploreResult } from "./explore.ts";

/** An exploration judged against an expectation: `[]` = pass, otherwise the invariants that must fail. */
export interface ExpectationOutcome {
  readonly result: ExploreResult;
  /** Invariants that failed, sorted. */
  readonly found: readonly string[];
  /** Expected to fail, but did not within the budget. */
  readonly missing: readonly string[];
  /** Failed, but not expected to. */
  readonly unexpected: readonly string[];
  readonly ok: boolean;
}

/**
 * Explores until the expectation is settled: with `expected` empty (a pass), up to the first
 * failure; otherwise going on after failures until every expected invariant has failed (or
 * the budget is spent). It holds when each expected invariant failed and no other failed
 * before they all had. The gate's rows and `raceTest` both judge this way.
 */
export async function exploreExpecting(options: Omit<ExploreOptions, "keepGoing" | "stopWhen">, expected: readonly string[]): Promise<ExpectationOutcome> {
  const want = new Set(expected);
  const result = await explore({
    ...options,
    keepGoing: want.size > 0,
    stopWhen: (violated) => [...want].every((name) => violated.has(name)),
  });
  const found = [...new Set(result.failures.flatMap((f) => f.violations.map((v) => v.invariant)))].sort();
  const missing = [...want].filter((name) => !found.includes(name));
  const unexpected = found.filter((name) => !want.has(name));
  return { result, found, missing, unexpected, ok: missing.length === 0 && unexpected.length === 0 };
}
