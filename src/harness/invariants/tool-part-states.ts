import { isTerminal } from "../../subjects/runner/MessageStore.ts";
import type { EventOf, Invariant, Violation } from "./Invariant.ts";

type ToolPart = EventOf<"tool.part"> & { step: number };

/**
 * A tool part settles once: it goes `running` -> `completed` or `error` and is never written
 * again, and its message is not finished while it still reads running. A dying run's cleanup
 * that writes `error` over a result the tool had just written (or a late result over the
 * cleanup's `error`) breaks the first; a cleanup that finishes the message without erroring
 * the calls still executing breaks the second.
 */
export const toolPartStates: Invariant = {
  name: "tool-part-states",
  description: "every tool part settles once (running -> completed | error), before its message is finished",
  liveness: false,
  check(trace) {
    const parts = new Map<string, ToolPart>();
    const ofMessage = new Map<string, string[]>();
    for (const e of trace) {
      if (e.type === "tool.part") {
        const key = `${e.messageID}#${e.call}`;
        const before = parts.get(key);
        if (before && before.status !== "running") return [overwritten(before, e)];
        if (!before) ofMessage.set(e.messageID, [...(ofMessage.get(e.messageID) ?? []), key]);
        parts.set(key, e);
      } else if (e.type === "message" && e.message.role === "assistant" && isTerminal(e.message.finish)) {
        for (const key of ofMessage.get(e.message.id) ?? []) {
          const part = parts.get(key)!;
          if (part.status === "running") return [finishedRunning(part, e.message.finish!, e.step, e.message.runID)];
        }
      }
    }
    return [];
  },
};

const name = (p: EventOf<"tool.part">) => `tool call ${p.call} (${p.tool}) of ${p.messageID}`;

function overwritten(first: ToolPart, second: ToolPart): Violation {
  return {
    invariant: "tool-part-states",
    step: second.step,
    sessionID: second.sessionID,
    message:
      `${name(second)} was settled ${first.status} by ${first.by} at step ${first.step}, then ${second.by} wrote ${second.status} over it at step ${second.step}` +
      (second.status === "error" ? ": a dying run's cleanup overwrote the tool's result" : ": a late result overwrote the cleanup's error"),
    evidence: [
      { step: first.step, what: `${first.by} wrote ${name(first)} ${first.status}`, role: actorRole(first.by), as: `write ${first.status}` },
      { step: second.step, what: `${second.by} wrote it ${second.status} again`, role: actorRole(second.by), as: `write ${second.status}`, race: true },
    ],
  };
}

function finishedRunning(part: ToolPart, finish: string, step: number, runID: string | undefined): Violation {
  return {
    invariant: "tool-part-states",
    step,
    sessionID: part.sessionID,
    message: `${part.messageID} was finished (${finish}) by ${runID ?? "its run"} at step ${step} while ${name(part)} still read running (since step ${part.step})`,
    evidence: [
      { step: part.step, what: `${part.by} wrote ${name(part)} ${part.status}`, role: actorRole(part.by) },
      { step, what: `${runID ?? "the run"} finished ${part.messageID} (${finish})`, role: "run", as: "finish message", race: true },
    ],
  };
}

/** The part an actor plays, whatever its run is called: the run, its halt, or the tool completing late. */
function actorRole(by: string): string {
  if (by.endsWith(" halt")) return "halt cleanup";
  if (/\.tool\d+$/.test(by)) return "late tool";
  return "run";
}
