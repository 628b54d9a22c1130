import type { Violation } from "../invariants/Invariant.ts";
import type { TraceEvent } from "../trace.ts";
import { causalChain } from "./causalChain.ts";
import { HappensBefore } from "./happensBefore.ts";
import type { RunStep } from "./RunStep.ts";
import { namesOf } from "./shape.ts";

/**
 * Gives each violation that names its evidence a causal chain (see {@link causalChain}),
 * computed from the run's steps. The happens-before relation is built once, and only for a
 * run with something to explain.
 */
export function explainViolations(violations: readonly Violation[], run: { readonly trace: readonly TraceEvent[]; readonly steps: readonly RunStep[] }): Violation[] {
  if (!violations.some((v) => v.evidence && v.evidence.length > 0)) return [...violations];
  const ctx = { steps: run.steps, trace: run.trace, names: namesOf(run.trace), hb: new HappensBefore(run.steps) };
  return violations.map((v) => {
    const cause = v.evidence && v.evidence.length > 0 ? causalChain(v.evidence, ctx) : undefined;
    return cause ? { ...v, cause } : v;
  });
}
