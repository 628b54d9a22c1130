import type { TraceEvent } from "../trace.ts";
import type { RunStep } from "./RunStep.ts";

/** The names a run gives its sessions, clients and client requests (all from its trace). */
export interface Names {
  readonly sessions: ReadonlySet<string>;
  readonly clients: ReadonlySet<string>;
  readonly requests: ReadonlySet<string>;
}

/** Collects the names of a run: every session an event names, every client and request of a client call. */
export function namesOf(trace: readonly TraceEvent[]): Names {
  const sessions = new Set<string>();
  const clients = new Set<string>();
  const requests = new Set<string>();
  for (const e of trace) {
    if ("sessionID" in e) sessions.add(e.sessionID);
    if ("parentID" in e && typeof e.parentID === "string") sessions.add(e.parentID);
    if (e.type === "message") sessions.add(e.message.sessionID);
    if (e.type === "client.call" || e.type === "client.read") {
      clients.add(e.client);
      requests.add(e.request);
    }
  }
  return { sessions, clients, requests };
}

/**
 * An actor's name with what varies between runs of one race abstracted: sessions become
 * `S`, clients `client`, client requests `request`, and counters are dropped, part by part:
 * `s1.run3` -> `S.run`, `c2.job.inject` -> `S.job.inject`, `b1` -> `request`.
 */
export function abstractActor(actor: string, names: Names): string {
  return actor
    .split(".")
    .map((part) => {
      if (names.sessions.has(part)) return "S";
      if (names.clients.has(part)) return "client";
      if (names.requests.has(part)) return "request";
      return part.replace(/\d+$/, "");
    })
    .join(".");
}

/**
 * What a step did, without its actor and with names and numbers abstracted:
 * `"b1 write part 2/3"` -> `write part N/N`, `"s1.run1 create c1"` -> `create S`,
 * `"a: prompt_async s1"` -> `send S`,
 * `"run.sse permission.asked perm_msg_0001_1"` -> `permission.asked perm`.
 */
export function abstractAction(label: string, names: Names): string {
  const bare = label.replace(/ \(\d+\)$/, "");
  const space = bare.indexOf(" ");
  let action = space < 0 ? "" : bare.slice(space + 1);
  // A client's send (`a: prompt s1`, `a: prompt_async s1`): what races is the acceptance of a
  // prompt, not whether the client waits for its reply, so both are `send S`.
  if (space > 0 && bare[space - 1] === ":") action = action.replace(/^(prompt|prompt_async)\b/, "send");
  return action
    .replace(/\bmsg_[A-Za-z0-9]+/g, "msg")
    .replace(/\bperm_[A-Za-z0-9_]+/g, "perm")
    .replace(/[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*/g, (token) => (/^\d+$/.test(token) ? "N" : abstractActor(token, names)))
    .replace(/\d+/g, "N");
}

/** A step as a signature sees it: its actor's role (or abstracted name) and what it did (or what the invariant calls it). */
export function abstractStep(step: Pick<RunStep, "actor" | "label">, role: string | undefined, names: Names, as?: string): string {
  return `${role ?? abstractActor(step.actor, names)}:${as ?? abstractAction(step.label, names)}`;
}

/** Conflicting keys abstracted to the state they belong to: `store:s1/msg_3 r>w` -> `store r>w`. */
export function abstractKeys(keys: readonly string[]): string {
  return [...new Set(keys.map((k) => k.replace(/^([^:/ ]*)[^ ]*/, "$1")))].sort().join(",");
}
