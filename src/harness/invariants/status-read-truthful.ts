import { isTerminal } from "../../subjects/runner/MessageStore.ts";
import type { TraceEvent } from "../trace.ts";
import type { EventOf, Invariant, Violation } from "./Invariant.ts";
import { answerOf, cancelAfter, indexTrace, type TraceIndex } from "./TraceIndex.ts";

/**
 * Reference invariant 10 (docs/design.md §9): what a client reads is the truth about the
 * prompts it was told were accepted. A status read (`client.read`, an action's `ifStatus`
 * check) never says idle while a prompt to that session has been accepted and not yet
 * answered. Accepted means a `prompt` call has been sent (it is in flight from then on) or a
 * `prompt_async` has returned (its 204: the server has taken the prompt). Answered is
 * every-message-answered's sense: a terminal assistant of the session that read the message
 * whole, replying to it or to a later message. A client that reads idle and sends again
 * ("send only if idle") sends into a session that already has work (status-gap).
 *
 * Why not a rule of status-truthful: that invariant holds each idle the runner publishes to
 * the runner's own state (a runner Running, a loop not exited). After a prompt_async's 204
 * nothing publishes idle; the session has just not published busy yet, so by that measure
 * nothing is a lie. This one holds what a client reads to what clients have been told; its
 * fix is a different design decision (`busyOnAccept`), and a row of the gate names which of
 * the two a variant breaks.
 *
 * Not counted: `noReply` prompts (no answer is due), prompts of a session a cancel was sent to
 * (by a client, or the runner's own cancel of a child) after the prompt and before the read,
 * or that the `run` command's dispose had begun to cancel, and prompts whose call failed.
 */
export const statusReadTruthful: Invariant = {
  name: "status-read-truthful",
  description: "a status read never says idle while a prompt to the session is accepted and not yet answered",
  liveness: false,
  check(trace) {
    const index = indexTrace(trace);
    const finishedAt = terminalPositions(trace);
    const accepted = new Map<string, Accepted>();
    for (let i = 0; i < trace.length; i++) {
      const e = trace[i]!;
      if (e.type === "client.call" && e.action === "prompt" && !e.noReply) accepted.set(e.request, { call: e, at: i });
      else if (e.type === "client.return") {
        const call = index.calls.get(e.request);
        if (call?.action === "prompt_async" && !call.noReply) accepted.set(e.request, { call, at: i });
      } else if (e.type === "client.error") accepted.delete(e.request);
      else if (e.type === "client.read" && e.status === "idle") {
        const open = [...accepted.values()].find((a) => a.call.sessionID === e.sessionID && !settled(trace, index, finishedAt, a, i));
        if (open) return [violation(e, open, index, trace)];
      }
    }
    return [];
  },
};

/** A prompt the server has taken: its call, and where in the trace it counts from. */
interface Accepted {
  readonly call: EventOf<"client.call">;
  readonly at: number;
}

/** Where each assistant got its terminal finish, by trace position. */
function terminalPositions(trace: readonly TraceEvent[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < trace.length; i++) {
    const e = trace[i]!;
    if (e.type === "message" && e.message.role === "assistant" && isTerminal(e.message.finish) && !out.has(e.message.id)) out.set(e.message.id, i);
  }
  return out;
}

/** Whether, at trace position `now`, the prompt is answered or excused (see the invariant). */
function settled(trace: readonly TraceEvent[], index: TraceIndex, finishedAt: ReadonlyMap<string, number>, a: Accepted, now: number): boolean {
  const sid = a.call.sessionID;
  const sent = index.callOrder.get(a.call.request) ?? a.at;
  const cancel = cancelAfter(index, a.call);
  if (cancel && (index.callOrder.get(cancel.request) ?? now) < now) return true;
  // The runner's own cancels (a parent's reaching this child) are no client's call.
  for (let i = sent + 1; i < now; i++) {
    const e = trace[i]!;
    if (e.type === "cancel.start" && e.sessionID === sid) return true;
  }
  const d = index.disposal;
  if (d && d.begin < now && d.sessions.has(sid) && sent < d.end) return true;
  const user = index.userByRequest.get(a.call.request);
  return user !== undefined && answerOf(index, user, (m) => (finishedAt.get(m.info.id) ?? Number.POSITIVE_INFINITY) < now) !== undefined;
}

function violation(read: EventOf<"client.read">, open: Accepted, index: TraceIndex, trace: readonly TraceEvent[]): Violation {
  const { call } = open;
  const user = index.userByRequest.get(call.request);
  const since = trace[open.at]!.step;
  const how = call.action === "prompt" ? `has been in flight since step ${since}` : `was accepted (it returned) at step ${since}`;
  const what = user ? `message ${user.info.id}` : "its message";
  const then = read.acts ? `: ${read.request} sends its ${read.action} into a session that already has work` : "";
  return {
    invariant: "status-read-truthful",
    step: read.step,
    sessionID: read.sessionID,
    message: `${read.request} read ${read.sessionID} idle at step ${read.step}, but ${call.request}'s ${call.action} ${how} and ${what} is not answered yet${then}`,
    evidence: [
      { step: since, what: `${call.request}'s ${call.action} ${call.action === "prompt" ? "was sent" : "was accepted"}`, role: "prompt" },
      { step: read.step, what: `${read.request} read ${read.sessionID} idle`, role: "reader" },
    ],
  };
}
