import type { MessageInfo, RunnerPort } from "../../boundaries/port.ts";

/** A stored message with its parts (the model keeps parts as plain strings). */
export interface StoredMessage {
  id: string;
  sessionID: string;
  role: "user" | "assistant";
  parentID?: string;
  finish?: string;
  parts: string[];
  request?: string;
  noReply?: boolean;
  runID?: string;
  /** user: all parts written (set with the last part write). */
  complete: boolean;
  /** user: sequence number of the prompt that wrote it, at acceptance. */
  acceptSeq?: number;
  /** user: excluded from work by a cancel that came after it was accepted. */
  cancelled?: boolean;
}

/**
 * The instance's message store. Writes are synchronous here; the runner puts a scheduling
 * point before each one, which is where the real store awaits.
 */
export class MessageStore {
  /** invariant: in creation order, which is also the order `list` returns. */
  private readonly messages: StoredMessage[] = [];
  private seq = 0;
  /** Prompts waiting for the answer to a user message, by its id (see whenAnswered). */
  private readonly answerWaiters = new Map<string, ((answer: StoredMessage) => void)[]>();

  constructor(private readonly port: RunnerPort) {}

  /** A new sortable, monotonic message id: `msg_` + virtual time (4 base-36 digits) + a counter. */
  newID(): string {
    this.port.touch?.("ids", true);
    this.seq += 1;
    return `msg_${this.port.now().toString(36).padStart(4, "0")}${String(this.seq).padStart(4, "0")}`;
  }

  /** Inserts a message (info only; parts follow with {@link addPart}). */
  insert(message: StoredMessage): StoredMessage {
    this.touch(message, true);
    // The session's list order is shared state too: two inserts into one session do not commute
    // (list returns creation order), though each writes only its own message.
    this.port.touch?.(`store:${message.sessionID}/#order`, true);
    this.messages.push(message);
    this.report(message);
    return message;
  }

  addPart(message: StoredMessage, part: string, complete = false): void {
    this.touch(message, true);
    message.parts.push(part);
    if (complete) message.complete = true;
    this.report(message);
  }

  /** Rewrites one part in place (a tool part's state change). */
  setPart(message: StoredMessage, index: number, part: string): void {
    this.touch(message, true);
    message.parts[index] = part;
    this.report(message);
  }

  setFinish(message: StoredMessage, finish: string): void {
    this.touch(message, true);
    message.finish = finish;
    this.report(message);
    if (isTerminal(finish) && message.parentID !== undefined) {
      const waiting = this.answerWaiters.get(message.parentID);
      this.answerWaiters.delete(message.parentID);
      for (const resolve of waiting ?? []) resolve(message);
    }
  }

  /**
   * Resolves with the terminal assistant whose parent is `user`, once one is written: how a
   * prompt waits for an answer that another instance's run writes (several instances).
   */
  whenAnswered(user: StoredMessage): Promise<StoredMessage> {
    this.touch(user, false);
    const answer = this.messages.find((m) => m.parentID === user.id && m.role === "assistant" && isTerminal(m.finish));
    if (answer) return Promise.resolve(answer);
    return new Promise((resolve) => {
      const waiting = this.answerWaiters.get(user.id) ?? [];
      waiting.push(resolve);
      this.answerWaiters.set(user.id, waiting);
    });
  }

  markCancelled(message: StoredMessage): void {
    this.touch(message, true);
    message.cancelled = true;
  }

  /** One synchronous snapshot of a session's messages, in creation order. */
  list(sessionID: string): StoredMessage[] {
    this.port.touch?.(`store:${sessionID}`, false);
    return this.messages.filter((m) => m.sessionID === sessionID);
  }

  /** The last assistant of a session, if any. */
  lastAssistant(sessionID: string): StoredMessage | undefined {
    return this.last(sessionID, "assistant");
  }

  /** The last user message of a session, if any. */
  lastUser(sessionID: string): StoredMessage | undefined {
    return this.last(sessionID, "user");
  }

  private last(sessionID: string, role: StoredMessage["role"]): StoredMessage | undefined {
    const list = this.list(sessionID);
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.role === role) return list[i];
    return undefined;
  }

  private touch(m: StoredMessage, write: boolean): void {
    this.port.touch?.(`store:${m.sessionID}/${m.id}`, write);
  }

  private report(m: StoredMessage): void {
    this.port.trace({ type: "message", message: toInfo(m) });
  }
}

/** A stored message as the port reports it. */
export function toInfo(m: StoredMessage): MessageInfo {
  return {
    id: m.id,
    sessionID: m.sessionID,
    role: m.role,
    parts: m.parts.length,
    ...(m.parentID !== undefined && { parentID: m.parentID }),
    ...(m.finish !== undefined && { finish: m.finish }),
    ...(m.request !== undefined && { request: m.request }),
    ...(m.noReply !== undefined && { noReply: m.noReply }),
    ...(m.runID !== undefined && { runID: m.runID }),
  };
}

/** Finishes that end a turn: everything but `tool-calls` (and unset). */
export function isTerminal(finish: string | undefined): boolean {
  return finish !== undefined && finish !== "tool-calls";
}
