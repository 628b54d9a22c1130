import type { Invariant, Violation } from "./Invariant.ts";

/**
 * Reference invariant 4: no idle is published for a session while one of its runs is active
 * (a runner Running, or a loop forked and not yet exited); at rest the status agrees with
 * the runners.
 */
export const statusTruthful: Invariant = {
  name: "status-truthful",
  description: "no idle is published while a run of the session is active; at rest status agrees with the runners",
  liveness: false,
  check(trace, end) {
    const runningRunners = new Map<string, Map<string, string>>();
    const loops = new Map<string, Set<string>>();
    const status = new Map<string, string>();
    const out: Violation[] = [];
    for (const e of trace) {
      if (e.type === "runner.state") {
        const set = runningRunners.get(e.sessionID) ?? new Map<string, string>();
        if (e.state === "running") set.set(e.runner, e.runID ?? "?");
        else set.delete(e.runner);
        runningRunners.set(e.sessionID, set);
      } else if (e.type === "loop.start") {
        loops.set(e.sessionID, (loops.get(e.sessionID) ?? new Set()).add(e.runID));
      } else if (e.type === "loop.end") {
        loops.get(e.sessionID)?.delete(e.runID);
      } else if (e.type === "status") {
        status.set(e.sessionID, e.status);
        if (e.status !== "idle" || out.length > 0) continue;
        const runner = [...(runningRunners.get(e.sessionID) ?? [])][0];
        const loop = [...(loops.get(e.sessionID) ?? [])][0];
        if (!runner && !loop) continue;
        const what = runner ? `runner ${runner[0]} is Running ${runner[1]}` : `loop ${loop} has not exited`;
        out.push({
          invariant: "status-truthful",
          step: e.step,
          sessionID: e.sessionID,
          message: `idle published for ${e.sessionID} at step ${e.step} while ${what}: observers that wait for idle stop early`,
        });
      }
    }
    if (end.atRest && out.length === 0) {
      for (const [sid, s] of status) {
        const running = (runningRunners.get(sid)?.size ?? 0) > 0;
        if ((s !== "idle") === running) continue;
        out.push({
          invariant: "status-truthful",
          step: end.steps,
          sessionID: sid,
          message: `at rest ${sid} reads ${s} but ${running ? "a runner is still Running" : "no runner is Running"}`,
        });
      }
    }
    return out;
  },
};
