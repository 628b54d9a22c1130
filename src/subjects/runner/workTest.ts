import { isTerminal, type StoredMessage } from "./MessageStore.ts";

/**
 * The loop's "is there work?" decisions (docs/design.md §3 and §8), as pure functions of a
 * snapshot, shared by the plain and the Effect reference runners.
 */

/**
 * Upstream's exit test: scan back for the last user and last assistant; there is no work
 * when the last assistant is finished (not with `tool-calls`) and `lastUser.id < lastAssistant.id`.
 * Work is decided by id order only.
 */
export function upstreamTarget(snapshot: readonly StoredMessage[]): StoredMessage | undefined {
  let lastUser: StoredMessage | undefined;
  let lastAssistant: StoredMessage | undefined;
  for (let i = snapshot.length - 1; i >= 0 && (!lastUser || !lastAssistant); i--) {
    const m = snapshot[i]!;
    if (m.role === "user") lastUser ??= m;
    else lastAssistant ??= m;
  }
  if (!lastUser) return undefined;
  if (lastAssistant && isTerminal(lastAssistant.finish) && lastUser.id < lastAssistant.id) return undefined;
  return lastUser;
}

/** The fixed design's notion of an answer: an assistant with `parentID` = the message and a terminal finish. */
export function answersParent(m: StoredMessage): boolean {
  return m.role === "assistant" && m.parentID !== undefined && isTerminal(m.finish);
}

/** The fixed design's answer to a user message, by parent link. */
export function answerByParent(snapshot: readonly StoredMessage[], user: StoredMessage): StoredMessage | undefined {
  return snapshot.find((m) => m.parentID === user.id && answersParent(m));
}

/** What the fixed design's work test needs besides the snapshot. */
export interface WorkRules {
  /** Skip user messages whose parts are still being written. */
  readonly completeMessagesOnly: boolean;
  /** Skip prompts accepted at or before this cancel watermark (undefined: no watermark). */
  readonly cancelMark: number | undefined;
}

/**
 * The fixed design's work test: the oldest user message that has no terminal answer by
 * parent link, is complete (if the rules say so), was not cancelled, and either wants a
 * reply or is the latest user message (a trailing `noReply` message is answered when woken).
 */
export function oldestUnanswered(snapshot: readonly StoredMessage[], rules: WorkRules): StoredMessage | undefined {
  const answered = new Set<string>();
  let lastUser: StoredMessage | undefined;
  for (const m of snapshot) {
    if (answersParent(m)) answered.add(m.parentID!);
    if (m.role === "user") lastUser = m;
  }
  return snapshot.find(
    (m) =>
      m.role === "user" &&
      !answered.has(m.id) &&
      (m.complete || !rules.completeMessagesOnly) &&
      !m.cancelled &&
      !(rules.cancelMark !== undefined && (m.acceptSeq ?? 0) <= rules.cancelMark) &&
      (!m.noReply || m === lastUser),
  );
}

/** PR #21528's re-read: a user message newer than the assistant just written. */
export function hasNewerUser(snapshot: readonly StoredMessage[], assistant: StoredMessage): boolean {
  return snapshot.some((m) => m.role === "user" && m.id > assistant.id);
}
