import type { Invariant, Violation } from "./Invariant.ts";
import { answerOf, cancelAfter, disposedAfter, indexTrace } from "./TraceIndex.ts";
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
    return out;
  },
};
