import type { Invariant, Violation } from "./Invariant.ts";
import { answerOf, indexTrace } from "./TraceIndex.ts";
import { whyUnanswered } from "./whyUnanswered.ts";

/**
 * A background child's result reaches its parent and is answered: every background job
 * stores its child's result in the parent (`<job>.inject`: a noReply message followed by a
 * wake-up `<job>.wake`, or, with directWake, one prompt that wants a reply and so is its own
 * wake-up) and an LLM step of the parent reads it whole and finishes (docs/design.md §5: "the child's result must reach the
 * parent and be answered"). Exempt: the parent was cancelled after the job started, or the
 * instance was disposed (the run's exit is judged by no-exit-while-child-busy).
 */
export const childResultAnswered: Invariant = {
  name: "child-result-answered",
  description: "every background child's result is injected into its parent and answered by it",
  liveness: true,
  check(trace, end) {
    if (!end.atRest) return [];
    const index = indexTrace(trace);
    const out: Violation[] = [];
    const disposed = trace.some((e) => e.type === "instance.disposed" || e.type === "process.exit");
    if (disposed) return [];
    for (let i = 0; i < trace.length; i++) {
      const start = trace[i]!;
      if (start.type !== "job.start") continue;
      const cancelled = trace.some((e, j) => j > i && e.type === "cancel.start" && e.sessionID === start.parentID);
      if (cancelled) continue;
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
