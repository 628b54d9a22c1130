import { createHash } from "node:crypto";
import type { Cause } from "../explain/Cause.ts";
import type { Scenario } from "../scenario/schema.ts";

/** What a signature is computed from: a violation, with its causal chain when it has one. */
export interface SignedViolation {
  readonly invariant: string;
  readonly message: string;
  readonly cause?: Pick<Cause, "race" | "shape">;
}

/**
 * A failure's identity across generated scenarios, and the one key the fuzz campaign (and
 * anything merging campaigns) deduplicates on: the race's causal shape, not its text.
 *
 * - A violation whose causal chain rests on a race (see src/harness/explain/) is keyed by
 *   that race: the ordered pairs of conflicting steps of different actors its chain rests on
 *   (`run:publish busy -store r>w-> prompt:write part N/N`), with sessions, clients, request
 *   and message ids, counters and step numbers abstracted, and actors named by the part the
 *   invariant gave them. The invariant is deliberately not part of this key: one race seen
 *   through several invariants (a lost wake-up is a message never answered, a prompt that got
 *   another's reply, a child's result never answered) is one failure, and the key is
 *   `race@<hash>`.
 * - A chain with no such pair (a loop of one actor, a hang, a run's own halt) is keyed by
 *   the invariant plus its abstracted steps: `<invariant>@<hash>`.
 * - A violation with no chain (an invariant that names no evidence) falls back to its
 *   message with names and numbers abstracted (see {@link raceShape}).
 *
 * The whole shrunk schedule is deliberately not part of it: generated scenarios carry
 * unrelated actors (children, other sessions) the shrinker cannot always remove, and keying
 * on them would report one race once per scenario.
 */
export function interleavingSignature(violation: SignedViolation, scenario: Scenario): string {
  const cause = violation.cause;
  if (cause && cause.race.length > 0) return `race@${hash(`race\n${cause.race.join("\n")}`)}`;
  if (cause) return `${violation.invariant}@${hash(`${violation.invariant}\nchain\n${cause.shape.join("\n")}`)}`;
  return `${violation.invariant}@${hash(`${violation.invariant}\n${raceShape(violation.message, scenario)}`)}`;
}

/** What a signature hashes, in words: `race: <pairs>`, else `chain: <steps>` (for reports; "" without a chain). */
export function signatureShape(violation: SignedViolation): string {
  const cause = violation.cause;
  if (cause && cause.race.length > 0) return `race: ${cause.race.join("; ")}`;
  return cause ? `chain: ${cause.shape.join(" -> ")}` : "";
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 10);
}

/** The message with names and numbers abstracted (exported for reports and tests). */
export function raceShape(message: string, scenario: Scenario): string {
  const sessions = new Set<string>([...scenario.sessions, ...childSessions(scenario), ...(scenario.run ? [scenario.run.session] : [])]);
  const clients = new Set(scenario.clients.map((c) => c.name));
  const names = new Map<string, string>();
  const alias = (name: string, prefix: "S" | "C") => {
    let a = names.get(name);
    if (!a) {
      a = `${prefix}${[...names.values()].filter((v) => v.startsWith(prefix)).length + 1}`;
      names.set(name, a);
    }
    return a;
  };
  return message
    .replace(/msg_[A-Za-z0-9]+/g, "msg")
    .replace(/[A-Za-z_][A-Za-z0-9_-]*/g, (token) => {
      if (sessions.has(token)) return alias(token, "S");
      if (clients.has(token)) return alias(token, "C");
      const request = /^([a-z][a-z0-9-]*?)(\d+)$/.exec(token);
      if (request && clients.has(request[1]!)) return alias(request[1]!, "C");
      return token.replace(/\d+$/, "");
    })
    .replace(/\d+/g, "N");
}

function childSessions(scenario: Scenario): string[] {
  const out: string[] = [];
  for (const replies of Object.values(scenario.llm)) {
    for (const reply of replies) {
      if ("toolCalls" in reply) for (const call of reply.toolCalls) if (call.child) out.push(call.child.session);
    }
  }
  return out;
}
