import { sessionOnInstance, type TraceEvent } from "../trace.ts";
import type { Invariant, Violation } from "./Invariant.ts";

/** Reference invariant 3: a Running runner is always the one in `runners.get(sid)` (checked between steps). */
export const runnerMapIntegrity: Invariant = {
  name: "runner-map-integrity",
  description: "a Running runner is always the one the runners map holds for its session",
  liveness: false,
  check(trace, end) {
    const map = new Map<string, string>();
    const running = new Map<string, { sessionID: string; runID: string; step: number }>();
    const changed = new Map<string, { step: number; what: string }>();
    let step = 0;
    // Runs at every step boundary: iterate without destructuring (no entry array per runner).
    const verify = (at: number): Violation | undefined => {
      for (const runner of running.keys()) {
        const { sessionID, runID } = running.get(runner)!;
        const holder = map.get(sessionID);
        if (holder === runner) continue;
        const change = changed.get(sessionID);
        return {
          invariant: "runner-map-integrity",
          step: at,
          sessionID,
          message: `after step ${at} runner ${runner} is Running ${runID} but runners.get(${sessionID}) is ${holder ?? "empty"}: an orphaned runner`,
          evidence: [
            { step: running.get(runner)!.step, what: `${runner} became Running ${runID}`, role: "runner" },
            ...(change ? [{ step: change.step, what: change.what, role: "mapper" }] : []),
          ],
        };
      }
      return undefined;
    };
    // Each instance has its own runners map: keyed by the session on its instance (s1, s1@2).
    const apply = (e: TraceEvent) => {
      if (e.type === "runners.set") {
        const sid = sessionOnInstance(e);
        map.set(sid, e.runner);
        changed.set(sid, { step: e.step, what: `runners.set(${sid}, ${e.runner})` });
      } else if (e.type === "runners.delete") {
        const sid = sessionOnInstance(e);
        map.delete(sid);
        changed.set(sid, { step: e.step, what: `runners.delete(${sid}) removed ${e.runner}` });
      } else if (e.type === "runner.state") {
        if (e.state === "running") running.set(e.runner, { sessionID: sessionOnInstance(e), runID: e.runID ?? "?", step: e.step });
        else running.delete(e.runner);
      }
    };
    for (const e of trace) {
      if (e.step !== step) {
        const v = verify(step);
        if (v) return [v];
        step = e.step;
      }
      apply(e);
    }
    const v = verify(Math.max(step, end.steps));
    return v ? [v] : [];
  },
};
