import type { Evidence, Invariant, Violation } from "./Invariant.ts";
import { indexTrace } from "./TraceIndex.ts";

/**
 * Reference invariant 6: after `cancel(sid)` resolves, no run that started before it is
 * still running; a prompt sent before the cancel does not get a run started after the
 * cancel began (the lost cancel before start); and cancelling a parent stops its
 * descendants: once the cancel resolves, no child session that existed when it began takes
 * another LLM step (unless a client prompts it again), and no background job of the parent
 * started before it delivers to the parent. A job that a run the cancel is stopping starts
 * while the cancel is under way counts as started before it, with its child session.
 */
export const cancelStopsRun: Invariant = {
  name: "cancel-stops-run",
  description: "after cancel resolves no earlier run still runs, and prompts sent before it start no run after it",
  liveness: false,
  check(trace) {
    const index = indexTrace(trace);
    const active = new Map<string, { sessionID: string; order: number; step: number }>();
    const loopOrder = new Map<string, number>();
    const loopStep = new Map<string, number>();
    const cancelStarts = new Map<string, { order: number; step: number }>();
    const out: Violation[] = [];
    const parents = new Map<string, string>();
    const jobParents = new Map<string, string>();
    /** Sessions stopped by a resolved cancel of an ancestor: session -> what stopped it. */
    const stopped = new Map<string, { request: string; root: string; step: number; began: number }>();
    /** Jobs whose parent's cancel resolved: job -> that cancel. */
    const stoppedJobs = new Map<string, { request: string; root: string; step: number; began: number }>();
    const cancelled = (c: { request: string; root: string; step: number; began: number }): Evidence[] => [
      { step: c.began, what: `cancel ${c.request} of ${c.root} began`, role: "cancel" },
      { step: c.step, what: `cancel ${c.request} of ${c.root} resolved`, role: "cancel" },
    ];
    const covered = new Map<string, { sessions: string[]; jobs: string[] }>();
    /** Cancels begun and not resolved: their session, and the runs of it active when they began. */
    const underWay = new Map<string, { root: string; runs: ReadonlySet<string> }>();
    /** Child sessions of jobs started while a cancel of their parent was under way. */
    const duringCancel = new Map<string, { job: string; step: number }>();
    const descends = (sid: string, root: string) => {
      for (let cur = parents.get(sid), hops = 0; cur !== undefined && hops < 1000; cur = parents.get(cur), hops++) {
        if (cur === root) return true;
      }
      return false;
    };
    trace.forEach((e, order) => {
      if (out.length > 0) return;
      if (e.type === "session.created") parents.set(e.sessionID, e.parentID);
      else if (e.type === "job.start") {
        parents.set(e.sessionID, e.parentID);
        jobParents.set(e.job, e.parentID);
      } else if (e.type === "client.call" && e.action !== "cancel") stopped.delete(e.sessionID);
      else if (e.type === "llm.call" && stopped.has(e.sessionID)) {
        const c = stopped.get(e.sessionID)!;
        const late = duringCancel.get(e.sessionID);
        const how = late ? ` (its job ${late.job} started at step ${late.step}, while the cancel was under way)` : "";
        out.push({
          invariant: "cancel-stops-run",
          step: e.step,
          sessionID: e.sessionID,
          message: `cancel ${c.request} of ${c.root} resolved at step ${c.step}, yet its descendant ${e.sessionID}${how} still runs: ${e.runID} took an LLM step at step ${e.step}`,
          evidence: [
            ...cancelled(c),
            ...(late ? [{ step: late.step, what: `${late.job} started while the cancel was under way`, role: "job" }] : []),
            { step: e.step, what: `${e.runID} took an LLM step`, role: "run" },
          ].sort((a, b) => a.step - b.step),
        });
        return;
      } else if (e.type === "request.start" && e.job !== undefined && stoppedJobs.has(e.job) && e.sessionID === stoppedJobs.get(e.job)!.root) {
        const c = stoppedJobs.get(e.job)!;
        out.push({
          invariant: "cancel-stops-run",
          step: e.step,
          sessionID: e.sessionID,
          message: `cancel ${c.request} of ${c.root} resolved at step ${c.step}, yet background job ${e.job} still delivered to ${e.sessionID} at step ${e.step} (${e.request})`,
          evidence: [...cancelled(c), { step: e.step, what: `${e.job} delivered ${e.request} to ${e.sessionID}`, role: "job" }],
        });
        return;
      }
      // What a cancel must stop is what existed when it began: descendants and jobs created
      // later belong to runs the cancel does not cover.
      // Except a job that a run the cancel is stopping starts while the cancel is under way:
      // the run is the cancel's, so is the job (and its child).
      if (e.type === "cancel.start") {
        const sessions = [...parents.keys()].filter((sid) => descends(sid, e.sessionID));
        const jobs = [...jobParents].filter(([, parent]) => parent === e.sessionID).map(([job]) => job);
        covered.set(e.request, { sessions, jobs });
        const runs = new Set([...active].filter(([, loop]) => loop.sessionID === e.sessionID).map(([runID]) => runID));
        underWay.set(e.request, { root: e.sessionID, runs });
      } else if (e.type === "job.start") {
        for (const [request, c] of underWay) {
          if (c.root !== e.parentID || ![...c.runs].some((runID) => active.has(runID))) continue;
          covered.get(request)?.jobs.push(e.job);
          covered.get(request)?.sessions.push(e.sessionID);
          duringCancel.set(e.sessionID, { job: e.job, step: e.step });
        }
      } else if (e.type === "cancel.end") {
        underWay.delete(e.request);
        const c = { request: e.request, root: e.sessionID, step: e.step, began: cancelStarts.get(e.request)?.step ?? e.step };
        for (const sid of covered.get(e.request)?.sessions ?? []) stopped.set(sid, c);
        for (const job of covered.get(e.request)?.jobs ?? []) stoppedJobs.set(job, c);
      }
      if (e.type === "loop.start") {
        active.set(e.runID, { sessionID: e.sessionID, order, step: e.step });
        loopOrder.set(e.runID, order);
        loopStep.set(e.runID, e.step);
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
            evidence: [
              { step: loop.step, what: `${runID} forked`, role: "run" },
              ...cancelled({ request: e.request, root: e.sessionID, step: e.step, began: start.step }),
            ],
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
            evidence: [
              { step: call.step, what: `${call.client} sent ${request}`, role: "prompt" },
              { step: cs.step, what: `cancel ${c.request} of ${c.sessionID} began`, role: "cancel" },
              { step: loopStep.get(e.message.runID)!, what: `${e.message.runID} forked after the cancel`, role: "run" },
              { step: e.step, what: `${e.message.runID} answered ${request}`, role: "run" },
            ],
          });
          return;
        }
      }
    });
    return out;
  },
};
