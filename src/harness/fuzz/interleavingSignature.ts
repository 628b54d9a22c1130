import { createHash } from "node:crypto";
import type { Scenario } from "../scenario/schema.ts";

/**
 * A failure's identity across generated scenarios: its invariant plus the shape of the
 * interleaving as the invariant explains it. Each invariant's message names the decisive
 * events of the race in order ("its prompt joined s1.run1 at step 12, which exited at step 13
 * without reading it (lost wake-up)"); abstracting the names and numbers out of it gives the
 * race's shape ("its prompt joined S1.run at step N, which exited at step N without reading
 * it (lost wake-up)"), the same in every scenario that hits that race. Sessions become S1,
 * S2, ... and clients C1, C2, ... in order of first appearance; request, run and message
 * numbers and step numbers are dropped.
 *
 * The whole shrunk schedule is deliberately not part of it: generated scenarios carry
 * unrelated actors (children, other sessions) the shrinker cannot always remove, and keying
 * on them would report one race once per scenario.
 */
export function interleavingSignature(violation: { readonly invariant: string; readonly message: string }, scenario: Scenario): string {
  const shape = raceShape(violation.message, scenario);
  const hash = createHash("sha256").update(`${violation.invariant}\n${shape}`).digest("hex").slice(0, 10);
  return `${violation.invariant}@${hash}`;
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
