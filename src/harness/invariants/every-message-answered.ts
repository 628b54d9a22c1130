import type { Invariant, Violation } from "./Invariant.ts";
import { answerOf, cancelAfter, disposedAfter, indexTrace, type TraceIndex } from "./TraceIndex.ts";
import type { TraceEvent } from "../trace.ts";
import { whyUnanswered } from "./whyUnanswered.ts";

/**
 * Reference invariant 1: every user message sent without `noReply` is eventually answered
 * (a terminal assistant that read it whole, replying to it or to a later message), unless its
 * session was cancelled after it was sent: by a client, or by the instance dispose at the end
 * of a `run` command, which cancels every runner (docs/design.md §6).
 */
export const everyMessageAnswered: Invariant = {
  name: "every-message-answered",
  description: "every user message sent without noReply is answered, unless its session was cancelled after it",
  liveness: true,
  check(trace, end) {
    if (!end.atRest) return [];
    const index = indexTrace(trace);
    const out: Violation[] = [];
    for (const call of index.calls.values()) {
      if (call.action === "cancel" || call.noReply) continue;
      // The dispose at the end of a run command cancels every runner (docs/design.md §6).
      if (cancelAfter(index, call) || disposedAfter(index, call)) continue;
      const user = index.userByRequest.get(call.request);
      const base = { invariant: "every-message-answered", step: end.steps, sessionID: call.sessionID };
      if (!user) {
        const last = trace.findLast((e) => "request" in e && e.request === call.request);
        out.push({
          ...base,
          message: `request ${call.request} (${call.action} ${call.sessionID}) never stored its message`,
          evidence: [
            { step: call.step, what: `${call.client} sent ${call.request} (${call.action} ${call.sessionID})`, role: "client" },
            ...(last && last.step !== call.step ? [{ step: last.step, what: `${call.request}'s last event`, role: "prompt" }] : []),
          ],
        });
        continue;
      }
      if (answerOf(index, user)) continue;
      const why = whyUnanswered(trace, index, user);
      out.push({
        ...base,
        message: `message ${user.info.id} (request ${call.request}, ${call.action}) in ${call.sessionID}, stored at step ${user.createdStep}, was never answered: ${why.text}`,
        evidence: why.evidence,
      });
    }
    out.push(...unansweredServerPrompts(trace, index, end.steps));
    return out;
  },
};

/**
 * The prompts the server makes itself (a task tool's prompt of its child, a background
 * child's prompt, a job's result that wants a reply) are answered too. Excused: a prompt whose
 * session, or an ancestor of it, began a cancel after the prompt entered the server (cancel
 * covers the tree in the fixed design, and a cancelled parent stops caring in any); and any
 * prompt that entered before the `run` command's dispose was over (it cancels every runner
 * and interrupts every forked fiber, children's included). Stored `noReply` (a job's
 * injected result) and prompts that never stored a message (a wake-up) are not prompts to
 * answer.
 */
function unansweredServerPrompts(trace: readonly TraceEvent[], index: TraceIndex, steps: number): Violation[] {
  const parents = new Map<string, string>();
  const cancels: { sessionID: string; at: number }[] = [];
  const started: { request: string; sessionID: string; at: number; step: number }[] = [];
  for (let i = 0; i < trace.length; i++) {
    const e = trace[i]!;
    if (e.type === "session.created" || e.type === "job.start") parents.set(e.sessionID, e.parentID);
    else if (e.type === "cancel.start") cancels.push({ sessionID: e.sessionID, at: i });
    else if (e.type === "request.start" && !index.calls.has(e.request)) started.push({ request: e.request, sessionID: e.sessionID, at: i, step: e.step });
  }
  const out: Violation[] = [];
  for (const p of started) {
    const user = index.userByRequest.get(p.request);
    if (!user || user.info.noReply) continue;
    if (index.disposal && p.at < index.disposal.end) continue;
    const tree = new Set<string>();
    for (let s: string | undefined = p.sessionID; s !== undefined && !tree.has(s); s = parents.get(s)) tree.add(s);
    if (cancels.some((c) => c.at > p.at && tree.has(c.sessionID))) continue;
    if (answerOf(index, user)) continue;
    const why = whyUnanswered(trace, index, user);
    out.push({
      invariant: "every-message-answered",
      step: steps,
      sessionID: p.sessionID,
      message: `message ${user.info.id} (the server's prompt ${p.request}) in ${p.sessionID}, stored at step ${user.createdStep}, was never answered: ${why.text}`,
      evidence: why.evidence,
    });
  }
  return out;
}
