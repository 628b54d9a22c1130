import type { SessionStatus } from "../../boundaries/port.ts";
import type { AnyEvent } from "../trace.ts";
import type { Action } from "./schema.ts";

/** What a client's status read needs of the world around it. */
export interface StatusReader {
  /** `GET /session/status` (over HTTP) or the runner's `statuses()` (in process); undefined when the runner has none. */
  readonly statuses: (() => Promise<Record<string, SessionStatus>>) | undefined;
  readonly emit: (event: AnyEvent) => void;
  readonly touch?: (key: string, write: boolean) => void;
  /** Names the runner in the error when it cannot be read. */
  readonly variant: string;
}

/**
 * The check of check-then-act: reads the session's status for an action with `ifStatus`,
 * records the read as `client.read`, and says whether the action goes ahead. It runs in the
 * client's read step; the action, if it goes ahead, is sent at the client's next point, so
 * anything may happen between what the client read and what it does.
 */
export async function readStatus(reader: StatusReader, client: string, request: string, action: Action & { ifStatus: SessionStatus }): Promise<boolean> {
  // A runner without the status API is a finding about it (runner-error), on both transports
  // alike: over HTTP the server would otherwise answer an empty map, which reads idle.
  if (!reader.statuses) throw new Error(`runner '${reader.variant}' does not implement statuses, which '${client}: ${action.kind} ${action.session}' needs for its ifStatus read`);
  const sid = action.session;
  // A read is judged against the session's status, acceptances, answers and cancels
  // (status-read-truthful): they are observations of this step (see RunnerPort.touch), so
  // that a reduced search never takes the read and one of them for independent.
  reader.touch?.(`status:${sid}`, false);
  reader.touch?.("accept", false);
  reader.touch?.(`store:${sid}`, false);
  reader.touch?.(`cancel:${sid}`, false);
  const status = (await reader.statuses())[sid] ?? "idle";
  const acts = status === action.ifStatus;
  reader.emit({ type: "client.read", client, request, action: action.kind, sessionID: sid, status, ifStatus: action.ifStatus, acts });
  return acts;
}
