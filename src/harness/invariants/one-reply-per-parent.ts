import { isTerminal } from "../../subjects/runner/MessageStore.ts";
import type { Invariant, Violation } from "./Invariant.ts";

/** Reference invariant 5: at most one terminal assistant per `parentID`. */
export const oneReplyPerParent: Invariant = {
  name: "one-reply-per-parent",
  description: "at most one finished reply per user message",
  liveness: false,
  check(trace) {
    const finished = new Set<string>();
    const firstReply = new Map<string, { id: string; runID?: string; step: number }>();
    const out: Violation[] = [];
    for (const e of trace) {
      if (e.type !== "message") continue;
      const m = e.message;
      if (m.role !== "assistant" || m.parentID === undefined || !isTerminal(m.finish) || finished.has(m.id)) continue;
      finished.add(m.id);
      const first = firstReply.get(m.parentID);
      if (!first) {
        firstReply.set(m.parentID, { id: m.id, step: e.step, ...(m.runID !== undefined && { runID: m.runID }) });
        continue;
      }
      out.push({
        invariant: "one-reply-per-parent",
        step: e.step,
        sessionID: m.sessionID,
        message: `user message ${m.parentID} got a second reply ${m.id} (${m.runID ?? "?"}) at step ${e.step}; the first was ${first.id} (${first.runID ?? "?"}) at step ${first.step}`,
        evidence: [
          { step: first.step, what: `${first.runID ?? "a run"} finished ${first.id}, replying to ${m.parentID}`, role: "first" },
          { step: e.step, what: `${m.runID ?? "a run"} finished ${m.id}, replying to ${m.parentID} again`, role: "second" },
        ],
      });
      break;
    }
    return out;
  },
};
