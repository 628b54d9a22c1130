import type { TraceEvent } from "../trace.ts";
import type { Evidence } from "./Invariant.ts";
import type { MessageRecord, TraceIndex } from "./TraceIndex.ts";

/** Why a user message went unanswered: the words, the race window it names, and the steps it rests on. */
export interface WhyUnanswered {
  readonly text: string;
  readonly kind: "read-whole" | "torn-read" | "lost-wake-up" | "id-inversion" | "unread";
  readonly evidence: readonly Evidence[];
}

/**
 * Explains the loss of `user` in the words of the reference's race windows (docs/design.md §4):
 * a step read it whole but replied to an earlier message; a step read it torn; the prompt that
 * should have woken a run for it (`via`: its own request, or a job's wake-up) joined a run that
 * had already read its snapshot and exited without reading it (lost wake-up); an assistant
 * written before it has a higher id (id inversion). The evidence names the message's store
 * (role `prompt`), the read or the join, and the run's exit (role `run`).
 */
export function whyUnanswered(trace: readonly TraceEvent[], index: TraceIndex, user: MessageRecord, via: string | undefined = user.info.request): WhyUnanswered {
  const id = user.info.id;
  const writer = user.info.request ?? id;
  const stored: Evidence = { step: user.wholeStep, what: `${writer} stored ${id} whole`, role: "prompt", as: "store whole" };
  // The store is one side of the race: the chain names the run's last read before it.
  const racing: Evidence = { ...stored, race: true };
  const reads = [...index.llmByAssistant.values()].flat().flatMap((call) => {
    const seen = call.seen.find((s) => s.id === id);
    return seen ? [{ call, parts: seen.parts }] : [];
  });
  const exitOf = (runID: string) => trace.find((e) => e.type === "loop.end" && e.runID === runID);
  const whole = reads.find((r) => r.parts === user.info.parts);
  if (whole) {
    const end = exitOf(whole.call.runID);
    return {
      kind: "read-whole",
      text: `${whole.call.runID} read it whole at step ${whole.call.step}, but that step replied to an earlier message and no reply came after it`,
      evidence: [
        stored,
        { step: whole.call.step, what: `${whole.call.runID}'s LLM step read ${id} whole, replying to an earlier message`, role: "run" },
        ...(end ? [{ step: end.step, what: `${whole.call.runID} exited with no reply after it`, role: "run", as: "exit" }] : []),
      ],
    };
  }
  const torn = reads[0];
  if (torn) {
    return {
      kind: "torn-read",
      text: `${torn.call.runID} read it at step ${torn.call.step} with ${torn.parts} of ${user.info.parts} parts and no step read it whole (torn read)`,
      evidence: [
        { step: user.createdStep, what: `${writer} stored ${id} with no part yet`, role: "prompt" },
        { step: torn.call.step, what: `${torn.call.runID}'s LLM step saw ${id} with ${torn.parts} of ${user.info.parts} parts`, role: "run" },
        racing,
      ],
    };
  }
  const wait = via === undefined ? undefined : trace.find((e) => e.type === "wait.start" && e.waiter === via);
  if (wait?.type === "wait.start") return joinedWithoutReading(trace, user, via!, wait.runID, wait.step);
  const later = [...index.messages.values()].find(
    (m) => m.info.role === "assistant" && m.info.sessionID === user.info.sessionID && m.order < user.order && m.info.id > id,
  );
  if (later) {
    return {
      kind: "id-inversion",
      text: "an assistant written before it has a higher id, so the id-order exit test saw it as answered (id inversion)",
      evidence: [
        { step: later.createdStep, what: `${later.info.runID ?? "a run"} wrote assistant ${later.info.id}`, role: "run" },
        { step: user.createdStep, what: `${writer} stored ${id}, whose id sorts below ${later.info.id}`, role: "prompt" },
      ],
    };
  }
  return { kind: "unread", text: "no run ever read it", evidence: [stored] };
}

/**
 * The lost wake-up: `via` (the message's prompt, or a job's wake-up) joined `runID` at step
 * `joined`, and that run exited without reading `user`. The evidence is the race it rests
 * on: the store against the run's last read before it, and the join against the exit.
 */
export function joinedWithoutReading(trace: readonly TraceEvent[], user: MessageRecord, via: string, runID: string, joined: number): WhyUnanswered {
  const id = user.info.id;
  const racing: Evidence = { step: user.wholeStep, what: `${user.info.request ?? id} stored ${id} whole`, role: "prompt", as: "store whole", race: true };
  const end = trace.find((e) => e.type === "loop.end" && e.runID === runID);
  const exited = end ? `exited at step ${end.step}` : "never exited";
  const who = via === user.info.request ? "its prompt" : `${via}`;
  return {
    kind: "lost-wake-up",
    text: `${who} joined ${runID} at step ${joined}, which ${exited} without reading it (lost wake-up)`,
    evidence: [
      racing,
      { step: joined, what: `${via} joined ${runID}`, role: "prompt", as: "join" },
      ...(end ? [{ step: end.step, what: `${runID} exited without reading ${id}`, role: "run", as: "exit" }] : []),
    ],
  };
}
