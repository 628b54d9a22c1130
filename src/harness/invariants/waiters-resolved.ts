import type { Invariant, Violation } from "./Invariant.ts";
import { runBlock } from "./blockers.ts";

/**
 * Reference invariant 7: every caller waiting on a run's `done` is resolved, across cancel.
 * The report says why the run never resolves it (see {@link runBlock}).
 */
export const waitersResolved: Invariant = {
  name: "waiters-resolved",
  description: "every caller waiting on a run's done is eventually resolved",
  liveness: true,
  check(trace, end) {
    if (!end.atRest) return [];
    const waiting = new Map<string, { runID: string; sessionID: string; step: number }>();
    for (const e of trace) {
      if (e.type === "wait.start") waiting.set(e.waiter, { runID: e.runID, sessionID: e.sessionID, step: e.step });
      else if (e.type === "wait.end") waiting.delete(e.waiter);
    }
    return [...waiting].map(([waiter, w]): Violation => {
      const block = runBlock(trace, end, w.runID, w.sessionID);
      return {
        invariant: "waiters-resolved",
        step: end.steps,
        sessionID: w.sessionID,
        message: `${waiter} waits since step ${w.step} on ${w.runID}, which will never resolve it: ${block.text}`,
        evidence: [{ step: w.step, what: `${waiter} joined ${w.runID}`, role: "waiter" }, ...block.evidence],
      };
    });
  },
};
