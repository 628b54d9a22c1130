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
    /** The last step that let a session take a new runner or loop: its runner went idle or left the map. */
    const freed = new Map<string, { step: number; what: string }>();
    for (const e of trace) {
      if (e.type === "runners.delete") freed.set(e.sessionID, { step: e.step, what: `runners.delete(${e.sessionID}) removed ${e.runner}` });
      else if (e.type === "runner.state" && e.state === "idle") freed.set(e.sessionID, { step: e.step, what: `${e.runner} went idle` });
      if (e.type === "loop.start") {
        const loops = active.get(e.sessionID) ?? new Map<string, number>();
        for (const [other, since] of loops) {
          if (reported.has(e.sessionID)) break;
          reported.add(e.sessionID);
          const gap = freed.get(e.sessionID);
          out.push({
            invariant: "one-loop-per-session",
            step: e.step,
            sessionID: e.sessionID,
            message: `two loops on ${e.sessionID} at step ${e.step}: ${e.runID} started while ${other} (started at step ${since}) still runs${gap && gap.step >= since ? ` (${gap.what} at step ${gap.step})` : ""}`,
            evidence: [
              { step: since, what: `${other} forked`, role: "first" },
              ...(gap && gap.step >= since ? [{ step: gap.step, what: gap.what, role: "freer" }] : []),
              { step: e.step, what: `${e.runID} forked while ${other} still runs`, role: "second" },
            ],
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
