import type { Invariant, Violation } from "./Invariant.ts";
import { cancelAfter, disposedAfter, indexTrace, sawWhole } from "./TraceIndex.ts";

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
      const v: Violation = {
        invariant: "prompt-gets-own-reply",
        step: e.step,
        sessionID: call.sessionID,
        message: `prompt ${e.request} returned ${got} at step ${e.step}, not a reply that read its message ${user?.info.id ?? "(never stored)"}`,
      };
      return [v];
    }
    return [];
  },
};
