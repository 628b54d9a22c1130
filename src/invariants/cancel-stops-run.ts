import type { Invariant, Violation } from "./Invariant.ts";
import { indexTrace } from "./TraceIndex.ts";

/**
 * Reference invariant 6: after `cancel(sid)` resolves, no run that started before it is
 * still running; and a prompt sent before the cancel does not get a run started after the
 * cancel began (the lost cancel before start).
 */
export const cancelStopsRun: Invariant = {
  name: "cancel-stops-run",
  description: "after cancel resolves no earlier run still runs, and prompts sent before it start no run after it",
  liveness: false,
  check(trace) {
    const index = indexTrace(trace);
    const active = new Map<string, { sessionID: string; order: number }>();
    const loopOrder = new Map<string, number>();
    const cancelStarts = new Map<string, { order: number; step: number }>();
    const out: Violation[] = [];
    trace.forEach((e, order) => {
      if (out.length > 0) return;
      if (e.type === "loop.start") {
        active.set(e.runID, { sessionID: e.sessionID, order });
        loopOrder.set(e.runID, order);
      } else if (e.type === "loop.end") active.delete(e.runID);
      else if (e.type === "cancel.start") cancelStarts.set(e.request, { order, step: e.step });
      else if (e.type === "cancel.end") {
        const start = cancelStarts.get(e.request);
        for (const [runID, loop] of active) {
          if (loop.sessionID !== e.sessionID || !start || loop.order > start.order) continue;
          out.push({
            invariant: "cancel-stops-run",
            step: e.step,
            sessionID: e.sessionID,
            message: `cancel ${e.request} of ${e.sessionID} resolved at step ${e.step} while ${runID}, started before it, still runs`,
          });
          return;
        }
      } else if (e.type === "message" && e.message.role === "assistant" && e.message.runID !== undefined) {
        const parent = e.message.parentID === undefined ? undefined : index.messages.get(e.message.parentID);
        const request = parent?.info.request;
        const call = request === undefined ? undefined : index.calls.get(request);
        const started = loopOrder.get(e.message.runID);
        if (!call || started === undefined) return;
        for (const c of index.cancels) {
          const cs = cancelStarts.get(c.request);
          if (c.sessionID !== call.sessionID || c.step <= call.step || !cs || started < cs.order) continue;
          out.push({
            invariant: "cancel-stops-run",
            step: e.step,
            sessionID: call.sessionID,
            message: `cancel ${c.request} (step ${c.step}) was lost: ${e.message.runID}, started after it, answers ${request} which was sent before it (step ${call.step})`,
          });
          return;
        }
      }
    });
    return out;
  },
};
