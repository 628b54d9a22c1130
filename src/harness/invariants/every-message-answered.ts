import type { Invariant, Violation } from "./Invariant.ts";
import { answerOf, cancelAfter, disposedAfter, indexTrace, type MessageRecord, type TraceIndex } from "./TraceIndex.ts";
import type { TraceEvent } from "../trace.ts";

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
        out.push({ ...base, message: `request ${call.request} (${call.action} ${call.sessionID}) never stored its message` });
        continue;
      }
      if (answerOf(index, user)) continue;
      out.push({
        ...base,
        message: `message ${user.info.id} (request ${call.request}, ${call.action}) in ${call.sessionID}, stored at step ${user.createdStep}, was never answered: ${why(trace, index, user)}`,
      });
    }
    return out;
  },
};

/** Explains the loss in the words of the reference's race windows. */
function why(trace: readonly TraceEvent[], index: TraceIndex, user: MessageRecord): string {
  const reads = [...index.llmByAssistant.values()].flat().flatMap((call) => {
    const seen = call.seen.find((s) => s.id === user.info.id);
    return seen ? [{ call, parts: seen.parts }] : [];
  });
  const whole = reads.find((r) => r.parts === user.info.parts);
  if (whole) {
    return `${whole.call.runID} read it whole at step ${whole.call.step}, but that step replied to an earlier message and no reply came after it`;
  }
  const torn = reads[0];
  if (torn) {
    return `${torn.call.runID} read it at step ${torn.call.step} with ${torn.parts} of ${user.info.parts} parts and no step read it whole (torn read)`;
  }
  const request = user.info.request;
  const wait = trace.find((e) => e.type === "wait.start" && e.waiter === request);
  if (wait?.type === "wait.start") {
    const end = trace.find((e) => e.type === "loop.end" && e.runID === wait.runID);
    const exited = end ? `exited at step ${end.step}` : "never exited";
    return `its prompt joined ${wait.runID} at step ${wait.step}, which ${exited} without reading it (lost wake-up)`;
  }
  const later = [...index.messages.values()].some(
    (m) => m.info.role === "assistant" && m.info.sessionID === user.info.sessionID && m.order < user.order && m.info.id > user.info.id,
  );
  return later
    ? "an assistant written before it has a higher id, so the id-order exit test saw it as answered (id inversion)"
    : "no run ever read it";
}
