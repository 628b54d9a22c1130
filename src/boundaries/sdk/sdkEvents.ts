import type { BusEvent, SessionStatus } from "../port.ts";
import { DIRECTORY, type Event, type SdkSessionStatus, type Session, type ToolPart } from "./opencodeTypes.ts";

/** A session as `session.created` and `POST /session` carry it (times are virtual, from 0). */
export function sdkSession(id: string, parentID?: string): Session {
  return {
    id,
    slug: id,
    projectID: "racelab",
    directory: DIRECTORY,
    title: id,
    version: "racelab",
    time: { created: 0, updated: 0 },
    ...(parentID !== undefined && { parentID }),
  } satisfies Session;
}

/** A runner status as opencode's `SessionStatus`. */
export function sdkStatus(status: SessionStatus): SdkSessionStatus {
  if (status === "retry") return { type: "retry", attempt: 1, message: "retrying", next: 0 };
  return { type: status };
}

/**
 * A background job as opencode shows one: the `task` tool part of the parent, running while the
 * child works, then completed (its result woke the parent) or errored (interrupted). The child
 * session and the job travel in the part's metadata, as opencode's task tool reports them.
 */
function jobPart(e: Extract<BusEvent, { type: "job.start" | "job.end" }>, now: number): ToolPart {
  const common = { id: `prt_${e.job}`, sessionID: e.parentID, messageID: `msg_${e.job}`, type: "tool" as const, callID: e.job, tool: "task" };
  const input = { job: e.job };
  if (e.type === "job.start") {
    return { ...common, state: { status: "running", input, metadata: { sessionId: e.sessionID, job: e.job, background: e.style }, time: { start: now } } };
  }
  if (e.outcome === "woke") {
    return { ...common, state: { status: "completed", input, output: "woke the parent", title: e.job, metadata: { job: e.job }, time: { start: now, end: now } } };
  }
  return { ...common, state: { status: "error", input, error: "interrupted", metadata: { job: e.job }, time: { start: now, end: now } } };
}

/** One bus event of the runner as the SDK's `Event` (with the stream's event id). */
export function toSdkEvent(e: BusEvent, id: string, now: number): Event {
  switch (e.type) {
    case "status":
      return { id, type: "session.status", properties: { sessionID: e.sessionID, status: sdkStatus(e.status) } };
    case "idle":
      return { id, type: "session.idle", properties: { sessionID: e.sessionID } };
    case "session.created":
      return { id, type: "session.created", properties: { sessionID: e.sessionID, info: sdkSession(e.sessionID, e.parentID) } };
    case "permission.asked":
      return { id, type: "permission.asked", properties: { id: e.permissionID, sessionID: e.sessionID, permission: e.tool, patterns: ["*"], metadata: {}, always: [] } };
    case "permission.replied":
      return { id, type: "permission.replied", properties: { sessionID: e.sessionID, requestID: e.permissionID, reply: e.reply === "allow" ? "once" : "reject" } };
    case "job.start":
    case "job.end":
      return { id, type: "message.part.updated", properties: { sessionID: e.parentID, part: jobPart(e, now), time: now } };
    case "instance.disposed":
      return { id, type: "server.instance.disposed", properties: { directory: DIRECTORY } };
  }
}
