import type { Invariant, Violation } from "./Invariant.ts";
import { cancelAfter, disposedAfter, indexTrace, partsSeen, sawWhole, type MessageRecord, type TraceIndex } from "./TraceIndex.ts";
import type { MessageInfo } from "../../boundaries/port.ts";
import { joinedWithoutReading, whyUnanswered } from "./whyUnanswered.ts";

/**
 * A synchronous prompt returns a reply that read its own message (W1: a joined caller gets
 * an assistant whose parent is another message), unless a cancel, or the run command's
 * dispose, cut its session's run short before it returned.
 */
export const promptGetsOwnReply: Invariant = {
  name: "prompt-gets-own-reply",
  description: "a synchronous prompt returns a reply that read its own message",
  liveness: false,
  check(trace) {
    const index = indexTrace(trace);
    for (let i = 0; i < trace.length; i++) {
      const e = trace[i]!;
      if (e.type !== "client.return") continue;
      const call = index.calls.get(e.request);
      if (!call || call.action !== "prompt" || call.noReply) continue;
      // A cancel excuses the prompt only if it was issued before the prompt returned; so does
      // the run command's dispose, which cancels every runner (docs/design.md §6).
      const cancel = cancelAfter(index, call);
      if (cancel && cancel.step <= e.step) continue;
      const disposal = disposedAfter(index, call);
      if (disposal && disposal.begin < i) continue;
      const user = index.userByRequest.get(e.request);
      const reply = e.message;
      if (user && reply?.role === "assistant") {
        const parent = reply.parentID === undefined ? undefined : index.messages.get(reply.parentID);
        if (parent && parent.order >= user.order && sawWhole(index, reply.id, user)) continue;
      }
      const got = reply ? `${reply.role} ${reply.id}${reply.parentID ? ` (a reply to ${reply.parentID})` : ""}` : "nothing";
      const own = user?.info.id ?? "(never stored)";
      const what = user && reply?.role === "assistant" ? howItRead(index, reply, user) : `not a reply that read its message ${own}`;
      const returned = { step: e.step, what: `${e.request} returned ${reply ? reply.id : "nothing"}`, role: "prompt" };
      // A prompt that joined a run which never read its message: the lost wake-up, named as
      // every-message-answered names it, also when a later run read the message and answered it.
      const wait = trace.find((w) => w.type === "wait.start" && w.waiter === e.request);
      const why = user ? whyUnanswered(trace, index, user) : undefined;
      const lost =
        why?.kind === "lost-wake-up"
          ? why
          : user && wait?.type === "wait.start" && !runRead(index, wait.runID, user)
            ? joinedWithoutReading(trace, user, e.request, wait.runID, wait.step)
            : undefined;
      const replied = reply ? index.messages.get(reply.id) : undefined;
      const evidence = lost
        ? [...lost.evidence, returned]
        : [
            ...(user ? [{ step: user.wholeStep, what: `${e.request} stored ${user.info.id} whole`, role: "prompt" }] : []),
            ...(wait?.type === "wait.start" ? [{ step: wait.step, what: `${e.request} joined ${wait.runID}`, role: "prompt" }] : []),
            ...(replied?.finishedStep !== undefined ? [{ step: replied.finishedStep, what: `${replied.info.runID ?? "a run"} finished ${replied.info.id}${replied.info.parentID ? `, a reply to ${replied.info.parentID}` : ""}`, role: "run" }] : []),
            returned,
          ];
      const v: Violation = {
        invariant: "prompt-gets-own-reply",
        step: e.step,
        sessionID: call.sessionID,
        message: `prompt ${e.request} returned ${got} at step ${e.step}, ${what}${lost ? `: ${lost.text}` : ""}`,
        evidence,
      };
      return [v];
    }
    return [];
  },
};

/** What was wrong with an assistant reply to a prompt: which message it answered, and how it read the prompt's own. */
function howItRead(index: TraceIndex, reply: MessageInfo, user: MessageRecord): string {
  const own = user.info.id;
  const parent = reply.parentID === undefined ? undefined : index.messages.get(reply.parentID);
  const seen = partsSeen(index, reply.id, user);
  const whole = user.info.parts;
  if (seen >= 0 && seen < whole) return `which read its message ${own} torn: ${seen} of its ${whole} part${whole === 1 ? "" : "s"} written (a torn read)`;
  if (seen < 0) return `a reply that never read its message ${own}`;
  if (parent && parent.order < user.order) return `a reply to a message before its own ${own}`;
  return `not a reply that read its message ${own}`;
}

/** True if an LLM step of run `runID` saw `user` at all (whole or torn). */
function runRead(index: TraceIndex, runID: string, user: MessageRecord): boolean {
  for (const calls of index.llmByAssistant.values()) {
    for (const call of calls) if (call.runID === runID && call.seen.some((s) => s.id === user.info.id)) return true;
  }
  return false;
}
