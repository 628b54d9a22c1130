import type { HarnessEvent, RunEvent } from "../trace.ts";

/**
 * The runner's events are what every invariant reads, so one that does not have the shape
 * the port documents is a finding about the runner (`runner-error`), not a crash of an
 * invariant. This checks the fields each event type needs, cheaply, as events arrive.
 */
const STRINGS: Record<string, readonly string[]> = {
  "runners.set": ["sessionID", "runner"],
  "runners.delete": ["sessionID", "runner"],
  "runner.state": ["sessionID", "runner", "state"],
  "loop.start": ["sessionID", "runID"],
  "loop.end": ["sessionID", "runID", "outcome"],
  message: [],
  "tool.part": ["sessionID", "messageID", "tool", "status", "by"],
  "session.error": ["sessionID", "error"],
  "wait.start": ["sessionID", "waiter", "runID"],
  "wait.end": ["waiter"],
  "cancel.start": ["sessionID", "request"],
  "cancel.end": ["sessionID", "request"],
  "request.start": ["sessionID", "request"],
  "request.end": ["request"],
  status: ["sessionID", "status"],
  idle: ["sessionID"],
  "session.created": ["sessionID", "parentID"],
  "permission.asked": ["sessionID", "permissionID", "tool"],
  "permission.replied": ["sessionID", "permissionID", "reply"],
  "job.start": ["job", "parentID", "sessionID", "style"],
  "job.end": ["job", "parentID", "outcome"],
  "instance.disposed": [],
};

/**
 * Events racelab records itself, around the runner (src/harness/trace.ts). A runner that
 * reports one would forge what a client did or saw (a `client.read`, a `client.return`), which
 * the invariants take on trust, so it is rejected by name.
 */
const HARNESS_ONLY: Record<(HarnessEvent | RunEvent)["type"], true> = {
  "client.call": true,
  "client.read": true,
  "client.return": true,
  "client.error": true,
  uncontrolled: true,
  "llm.call": true,
  "run.start": true,
  "run.exit": true,
  "run.disposed": true,
  "process.exit": true,
};

/** Why `event` is not a runner event of the port, or undefined when it is one. */
export function malformedEvent(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return `an event must be an object, got ${event === null ? "null" : typeof event}`;
  const e = event as Record<string, unknown>;
  if (typeof e.type !== "string") return `an event needs a string 'type', got ${JSON.stringify(e.type)}`;
  if (Object.hasOwn(HARNESS_ONLY, e.type)) return `'${e.type}' is an event racelab records itself, not one a runner reports (the port's RunnerEvent lists the types)`;
  const fields = STRINGS[e.type];
  if (!fields) return `unknown event type '${e.type}' (the port's RunnerEvent lists the types)`;
  for (const f of fields) if (typeof e[f] !== "string") return `a '${e.type}' event needs a string '${f}', got ${JSON.stringify(e[f])}`;
  if (e.type === "message") {
    const m = e.message as Record<string, unknown> | undefined;
    if (typeof m !== "object" || m === null) return "a 'message' event needs a 'message' object";
    for (const f of ["id", "sessionID", "role"]) if (typeof m[f] !== "string") return `a 'message' event's message needs a string '${f}', got ${JSON.stringify(m[f])}`;
    if (typeof m.parts !== "number") return `a 'message' event's message needs a number 'parts', got ${JSON.stringify(m.parts)}`;
  }
  return undefined;
}
