import type { Invariant, Violation } from "./Invariant.ts";

/** Reference invariant 2: at most one loop per session runs at a time (fork to fiber exit). */
export const oneLoopPerSession: Invariant = {
  name: "one-loop-per-session",
  description: "at most one loop per session runs at a time",
  liveness: false,
  check(trace) {
    const active = new Map<string, Map<string, number>>();
    const reported = new Set<string>();
    const out: Violation[] = [];
    for (const e of trace) {
      if (e.type === "loop.start") {
        const loops = active.get(e.sessionID) ?? new Map<string, number>();
        for (const [other, since] of loops) {
          if (reported.has(e.sessionID)) break;
          reported.add(e.sessionID);
          out.push({
            invariant: "one-loop-per-session",
            step: e.step,
            sessionID: e.sessionID,
            message: `two loops on ${e.sessionID} at step ${e.step}: ${e.runID} started while ${other} (started at step ${since}) still runs`,
          });
        }
        loops.set(e.runID, e.step);
        active.set(e.sessionID, loops);
      } else if (e.type === "loop.end") {
        active.get(e.sessionID)?.delete(e.runID);
      }
    }
    return out;
  },
};
