import type { MessageInfo } from "../../boundaries/port.ts";
import type { TraceEvent } from "../trace.ts";
import { isTerminal } from "../../subjects/runner/MessageStore.ts";
import type { EventOf } from "./Invariant.ts";

/** A message as the trace tells it: its final state and when it was created. */
export interface MessageRecord {
  readonly info: MessageInfo;
  readonly createdStep: number;
  /** Step at which it got its last part: from then on it can be read whole. */
  readonly wholeStep: number;
  /** Creation order across the store. */
  readonly order: number;
  /** Step at which it got a terminal finish. */
  readonly finishedStep?: number;
}

/** Lookups over one trace, built once and shared by the invariants. */
export interface TraceIndex {
  readonly messages: ReadonlyMap<string, MessageRecord>;
  readonly userByRequest: ReadonlyMap<string, MessageRecord>;
  readonly calls: ReadonlyMap<string, EventOf<"client.call">>;
  readonly llmByAssistant: ReadonlyMap<string, readonly EventOf<"llm.call">[]>;
  readonly cancels: readonly EventOf<"client.call">[];
  /** Position in the trace of each client call (steps can be coarse under a foreign scheduler). */
  readonly callOrder: ReadonlyMap<string, number>;
  /** The instance dispose at the end of a `run` command, if there was one. */
  readonly disposal?: Disposal;
}

/**
 * The instance dispose that follows a `run` command (docs/design.md §6): it cancels every
 * runner the runners map holds when it begins, all at once. To the sessions it cancels it is
 * a cancel like a client's.
 */
export interface Disposal {
  /** Trace position of `run.exit`, where the dispose begins. */
  readonly begin: number;
  readonly step: number;
  /** Trace position of `run.disposed`, where it is over (infinite if it never got there). */
  readonly end: number;
  /** Sessions with a runner in the map when it began: the ones it cancels. */
  readonly sessions: ReadonlySet<string>;
}

const cache = new WeakMap<readonly TraceEvent[], TraceIndex>();

/** Builds (or returns the cached) index of a trace. */
export function indexTrace(trace: readonly TraceEvent[]): TraceIndex {
  const hit = cache.get(trace);
  if (hit) return hit;
  const messages = new Map<string, MessageRecord>();
  const userByRequest = new Map<string, MessageRecord>();
  const calls = new Map<string, EventOf<"client.call">>();
  const llmByAssistant = new Map<string, EventOf<"llm.call">[]>();
  const cancels: EventOf<"client.call">[] = [];
  const callOrder = new Map<string, number>();
  const holders = new Map<string, string>();
  let disposal: Disposal | undefined;
  for (let i = 0; i < trace.length; i++) {
    const e = trace[i]!;
    if (e.type === "runners.set") holders.set(e.sessionID, e.runner);
    else if (e.type === "runners.delete") holders.delete(e.sessionID);
    else if (e.type === "run.exit") disposal = { begin: i, step: e.step, end: Number.POSITIVE_INFINITY, sessions: new Set(holders.keys()) };
    else if (e.type === "run.disposed" && disposal) disposal = { ...disposal, end: i };
    else if (e.type === "message") {
      const prev = messages.get(e.message.id);
      const finishedNow = isTerminal(e.message.finish) && !isTerminal(prev?.info.finish);
      const createdStep = prev?.createdStep ?? e.step;
      const wholeStep = prev === undefined || prev.info.parts !== e.message.parts ? e.step : prev.wholeStep;
      const order = prev?.order ?? messages.size;
      // Two literals rather than a conditional spread, which V8 copies the slow way (every message event).
      const record: MessageRecord =
        finishedNow || prev?.finishedStep !== undefined
          ? { info: e.message, createdStep, wholeStep, order, finishedStep: prev?.finishedStep ?? e.step }
          : { info: e.message, createdStep, wholeStep, order };
      messages.set(e.message.id, record);
      if (e.message.role === "user" && e.message.request !== undefined) userByRequest.set(e.message.request, record);
    } else if (e.type === "client.call") {
      calls.set(e.request, e);
      callOrder.set(e.request, i);
      if (e.action === "cancel") cancels.push(e);
    } else if (e.type === "llm.call") {
      const list = llmByAssistant.get(e.assistantID) ?? [];
      list.push(e);
      llmByAssistant.set(e.assistantID, list);
    }
  }
  const index = { messages, userByRequest, calls, llmByAssistant, cancels, callOrder, ...(disposal && { disposal }) };
  cache.set(trace, index);
  return index;
}

/** True if an LLM step of `assistantID` saw `user` with all of its final parts. */
export function sawWhole(index: TraceIndex, assistantID: string, user: MessageRecord): boolean {
  const calls = index.llmByAssistant.get(assistantID);
  if (calls === undefined) return false;
  // Loops, not nested some(): this runs for every (message, assistant) pair of every schedule.
  const { id, parts } = user.info;
  for (const call of calls) for (const s of call.seen) if (s.id === id && s.parts === parts) return true;
  return false;
}

/** The most parts of `user` an LLM step of `assistantID` saw, or -1 if none saw it. */
export function partsSeen(index: TraceIndex, assistantID: string, user: MessageRecord): number {
  let most = -1;
  for (const call of index.llmByAssistant.get(assistantID) ?? []) for (const s of call.seen) if (s.id === user.info.id) most = Math.max(most, s.parts);
  return most;
}

/**
 * The assistant that answers `user`: a terminal assistant of its session whose parent is
 * `user` or a user message created after it, and whose LLM step saw `user` whole. (A reply
 * to a later message that read this one covers it, as one turn answers queued messages.)
 * `within` narrows the assistants that count (status-read-truthful: those finished by then).
 */
export function answerOf(index: TraceIndex, user: MessageRecord, within?: (assistant: MessageRecord) => boolean): MessageRecord | undefined {
  for (const m of index.messages.values()) {
    const { info } = m;
    if (info.role !== "assistant" || info.sessionID !== user.info.sessionID || !isTerminal(info.finish) || (within !== undefined && !within(m))) continue;
    const parent = info.parentID === undefined ? undefined : index.messages.get(info.parentID);
    if (!parent || parent.order < user.order) continue;
    if (sawWhole(index, info.id, user)) return m;
  }
  return undefined;
}

/** The first cancel of `call`'s session issued after `call` was sent, if any. */
export function cancelAfter(index: TraceIndex, call: EventOf<"client.call">): EventOf<"client.call"> | undefined {
  const sent = index.callOrder.get(call.request) ?? Number.POSITIVE_INFINITY;
  return index.cancels.find((c) => c.sessionID === call.sessionID && (index.callOrder.get(c.request) ?? -1) > sent);
}

/**
 * The dispose that cancelled `call`'s session after `call` was sent, if any: the session had
 * a runner when the dispose began, and the call was sent before the dispose was over (a
 * prompt that joins a runner while the dispose is under way is cancelled with it).
 */
export function disposedAfter(index: TraceIndex, call: EventOf<"client.call">): Disposal | undefined {
  const d = index.disposal;
  if (!d || !d.sessions.has(call.sessionID)) return undefined;
  const sent = index.callOrder.get(call.request) ?? Number.POSITIVE_INFINITY;
  return sent < d.end ? d : undefined;
}
