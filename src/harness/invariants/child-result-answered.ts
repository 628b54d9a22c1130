import type { Invariant, Violation } from "./Invariant.ts";
import { answerOf, indexTrace, type Disposal } from "./TraceIndex.ts";
import type { TraceEvent } from "../trace.ts";
import { whyUnanswered } from "./whyUnanswered.ts";

/**
 * A background child's result reaches its parent and is answered: every background job
 * stores its child's result in the parent (`<job>.inject`: a noReply message followed by a
 * wake-up `<job>.wake`, or, with directWake, one prompt that wants a reply and so is its own
 * wake-up) and an LLM step of the parent reads it whole and finishes (docs/design.md §5: "the child's result must reach the
 * parent and be answered"). Exempt (the excuse rule):
 * - a result never delivered (the job ended, or never got that far): when a cancel of the
 *   parent began after the job started (it stops the job), or the instance was disposed or
 *   exited (a job cut by the exit is no-exit-while-child-busy's to judge);
 * - a delivered result: when a cancel of the parent began after the delivery (as a client's
 *   message is excused by a cancel after it; a delivery after a cancel is a new prompt, to be
 *   answered), or the `run` command's dispose cut it: it came after the run exited, or the
 *   delivery (or, after a noReply injection, the job's wake-up) was still in flight at the
 *   exit, or the parent still had a runner then (its
 *   answer was under way and the dispose cancels it). A result delivered before the exit to a
 *   parent that had gone idle without answering it is lost, and reported.
 */
export const childResultAnswered: Invariant = {
  name: "child-result-answered",
  description: "every background child's result is injected into its parent and answered by it",
  liveness: true,
  check(trace, end) {
    if (!end.atRest) return [];
    const index = indexTrace(trace);
    const out: Violation[] = [];
    const disposal = index.disposal;
    const exited = disposal !== undefined || trace.some((e) => e.type === "instance.disposed" || e.type === "process.exit");
    for (let i = 0; i < trace.length; i++) {
      const start = trace[i]!;
      if (start.type !== "job.start") continue;
      const delivered = trace.findIndex((e, j) => j > i && e.type === "request.start" && e.request === `${start.job}.inject`);
      if (excused(trace, i, delivered, start.parentID, exited, disposal)) continue;
      const injected = index.userByRequest.get(`${start.job}.inject`);
      const base = { invariant: "child-result-answered", step: end.steps, sessionID: start.parentID };
      const begun = { step: start.step, what: `${start.job} started (${start.parentID} -> ${start.sessionID})`, role: "job" };
      if (!injected) {
        const ended = trace.find((e) => e.type === "job.end" && e.job === start.job);
        const why = ended?.type === "job.end" ? `the job ended (${ended.outcome}) at step ${ended.step}` : "the job never got that far";
        out.push({
          ...base,
          message: `${start.sessionID}'s result never reached ${start.parentID}: ${why}`,
          evidence: [begun, ...(ended ? [{ step: ended.step, what: `${start.job} ended (${ended.type === "job.end" ? ended.outcome : "?"}) without storing the result`, role: "job" }] : [])],
        });
        continue;
      }
      if (answerOf(index, injected)) continue;
      const stored = `${start.sessionID}'s result (${injected.info.id}, stored in ${start.parentID} at step ${injected.createdStep}) was never answered`;
      // directWake: the result is one prompt that wants a reply, so that prompt is the wake-up.
      if (injected.info.noReply !== true) {
        const why = whyUnanswered(trace, index, injected);
        out.push({ ...base, message: `${stored}: ${why.text}`, evidence: why.evidence });
        continue;
      }
      const wake = `${start.job}.wake`;
      const woke = trace.find((e) => e.type === "request.start" && e.request === wake);
      if (!woke) {
        out.push({
          ...base,
          message: `${stored}: ${start.job} never woke it`,
          evidence: [{ step: injected.wholeStep, what: `${start.job} stored the result ${injected.info.id} (noReply)`, role: "job" }],
        });
        continue;
      }
      const why = whyUnanswered(trace, index, injected, wake);
      const woken = { step: woke.step, what: `${start.job} woke ${start.parentID} (${wake})`, role: "job" };
      out.push({
        ...base,
        message: why.kind === "unread" ? `${stored}: it was woken at step ${woke.step} but no step answered the result` : `${stored}: it was woken at step ${woke.step}, but ${why.text}`,
        evidence: [...why.evidence, woken],
      });
    }
    return out;
  },
};

/** The excuse rule of {@link childResultAnswered}, for the job started at trace position `start`, delivered at `delivered` (-1: never). */
function excused(trace: readonly TraceEvent[], start: number, delivered: number, parentID: string, exited: boolean, disposal: Disposal | undefined): boolean {
  const cancelledAfter = (from: number) => trace.some((e, j) => j > from && e.type === "cancel.start" && e.sessionID === parentID);
  if (delivered < 0) return exited || cancelledAfter(start);
  if (cancelledAfter(delivered)) return true;
  if (disposal) {
    // Still in flight at the exit (its message being written, its run not started; or, with
    // a noReply injection, the job's wake-up after it): the exit's.
    const request = (trace[delivered] as Extract<TraceEvent, { type: "request.start" }>).request;
    const inFlightAtExit = (name: string, from: number) => {
      const began = trace.findIndex((e, j) => j > from && e.type === "request.start" && e.request === name);
      if (began < 0) return false;
      const over = trace.findIndex((e, j) => j > began && e.type === "request.end" && e.request === name);
      return began < disposal.begin && (over < 0 || over > disposal.begin);
    };
    const job = request.replace(/\.inject$/, "");
    return delivered > disposal.begin || inFlightAtExit(request, delivered - 1) || inFlightAtExit(`${job}.wake`, delivered) || disposal.sessions.has(parentID);
  }
  return exited;
}
