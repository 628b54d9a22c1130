import { actorOf } from "../scheduler/VirtualScheduler.ts";
import type { Evidence, Invariant, Violation } from "./Invariant.ts";
import { sessionOnInstance } from "../trace.ts";

/**
 * Reference invariant 4: no idle is published for a session while one of its runs is active
 * (a runner Running, or a loop forked and not yet exited); at rest the status agrees with
 * the runners. The report names who published the stray idle (the actor of the step, from
 * the run's labels): a run whose loop had already exited (a dying run's publish), the run
 * itself on its way out (a halt), or another actor; the cause names the step that made the
 * publish happen and, when it is not the running run's own, the step that made it Running.
 */
export const statusTruthful: Invariant = {
  name: "status-truthful",
  description: "no idle is published while a run of the session is active; at rest status agrees with the runners",
  liveness: false,
  check(trace, end) {
    const runningRunners = new Map<string, Map<string, { runID: string; step: number }>>();
    const loops = new Map<string, Map<string, number>>();
    const exits = new Map<string, number>();
    const status = new Map<string, { status: string; step: number }>();
    const out: Violation[] = [];
    // Each instance's bus speaks for its own runners (sessionOnInstance): with one instance, the session.
    for (const e of trace) {
      if (e.type === "runner.state") {
        const sid = sessionOnInstance(e);
        const set = runningRunners.get(sid) ?? new Map<string, { runID: string; step: number }>();
        if (e.state === "running") set.set(e.runner, { runID: e.runID ?? "?", step: e.step });
        else set.delete(e.runner);
        runningRunners.set(sid, set);
      } else if (e.type === "loop.start") {
        const sid = sessionOnInstance(e);
        loops.set(sid, (loops.get(sid) ?? new Map<string, number>()).set(e.runID, e.step));
      } else if (e.type === "loop.end") {
        loops.get(sessionOnInstance(e))?.delete(e.runID);
        exits.set(e.runID, e.step);
      } else if (e.type === "status") {
        const sid = sessionOnInstance(e);
        status.set(sid, { status: e.status, step: e.step });
        if (e.status !== "idle" || out.length > 0) continue;
        const runner = [...(runningRunners.get(sid) ?? [])][0];
        const loop = [...(loops.get(sid) ?? [])][0];
        if (!runner && !loop) continue;
        const what = runner ? `runner ${runner[0]} is Running ${runner[1].runID}` : `loop ${loop![0]} has not exited`;
        const active = runner ? runner[1].runID : loop![0];
        const since = runner ? runner[1].step : loop![1];
        const label = end.labels?.[e.step - 1];
        const publisher = label === undefined ? undefined : actorOf(label);
        const exited = publisher === undefined ? undefined : exits.get(publisher);
        const by =
          publisher === undefined
            ? ""
            : exited !== undefined
              ? ` by ${publisher}, whose loop had exited at step ${exited} (a dying run's publish),`
              : ` by ${publisher}${publisher === active ? " itself" : ""},`;
        const evidence: Evidence[] = [
          ...(exited !== undefined ? [{ step: exited, what: `${publisher} exited`, role: "publisher" }] : []),
          ...(publisher !== active ? [{ step: since, what: runner ? `${runner[0]} became Running ${active}` : `${active} forked`, role: "run" }] : []),
          { step: e.step, what: `${publisher ?? "a step"} published idle for ${e.sessionID} while ${what}`, role: "publisher", origin: true },
        ];
        out.push({
          invariant: "status-truthful",
          step: e.step,
          sessionID: e.sessionID,
          message: `idle published for ${e.sessionID} at step ${e.step}${by} while ${what}: observers that wait for idle stop early`,
          evidence,
        });
      }
    }
    if (end.atRest && out.length === 0) {
      for (const [sid, s] of status) {
        const running = runningRunners.get(sid) ?? new Map();
        if ((s.status !== "idle") === running.size > 0) continue;
        const changed = trace.findLast((e) => e.type === "runner.state" && sessionOnInstance(e) === sid);
        out.push({
          invariant: "status-truthful",
          step: end.steps,
          sessionID: sid,
          message: `at rest ${sid} reads ${s.status} but ${running.size > 0 ? "a runner is still Running" : "no runner is Running"}`,
          evidence: [
            ...(changed ? [{ step: changed.step, what: `${sid}'s runner state last changed`, role: "run" }] : []),
            { step: s.step, what: `${sid}'s status last published (${s.status})`, role: "publisher" },
          ],
        });
      }
    }
    return out;
  },
};
