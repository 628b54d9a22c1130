import type { MessageInfo } from "../../boundaries/port.ts";
import type { TraceEvent } from "../trace.ts";

/** cyrb53: a fast 53-bit string hash (not cryptographic), for counting distinct things. */
export function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * The end state of a run as the trace tells it: every message's final shape (in creation
 * order), each session's last status, and the client calls' results. Two schedules that
 * leave the world the same have the same fingerprint.
 */
export function endStateFingerprint(trace: readonly TraceEvent[]): number {
  // Only each message's last event counts: keep the events, write the text once at the end.
  const messages = new Map<string, MessageInfo>();
  const status = new Map<string, string>();
  const returns: string[] = [];
  for (let i = 0; i < trace.length; i++) {
    const e = trace[i]!;
    if (e.type === "message") messages.set(e.message.id, e.message);
    else if (e.type === "status") status.set(e.sessionID, e.status);
    else if (e.type === "client.return") returns.push(`${e.request}=${e.message?.id ?? ""}`);
  }
  const parts: string[] = [];
  for (const m of messages.values()) parts.push(`${m.id}:${m.role}:${m.parentID ?? ""}:${m.finish ?? ""}:${m.parts}`);
  status.forEach((v, k) => parts.push(`${k}=${v}`));
  returns.sort();
  for (const r of returns) parts.push(r);
  return hash53(parts.join("|"));
}
