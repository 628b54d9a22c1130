import type { PointOptions, RunnerPort, SessionStatus } from "../port.ts";

/**
 * The status map and its bus: `set` publishes `session.status` (and the legacy
 * `session.idle` for idle), then updates the map; idle removes the entry.
 */
export class StatusBus {
  /** invariant: holds only non-idle statuses. */
  private readonly map = new Map<string, SessionStatus>();

  constructor(private readonly port: RunnerPort) {}

  /** Publishes after the scheduling point `label` (the publish is where the real bus awaits). */
  async set(sessionID: string, status: SessionStatus, label: string, options?: PointOptions): Promise<void> {
    await this.port.point(label, options);
    this.publishNow(sessionID, status);
  }

  /** The synchronous part of a publish; callers that must decide and publish atomically use it. */
  publishNow(sessionID: string, status: SessionStatus): void {
    this.port.touch?.(`status:${sessionID}`, true);
    // status-truthful compares each publish with the runners of the session: an observation.
    this.port.touch?.(`runners:${sessionID}`, false);
    this.port.trace({ type: "status", sessionID, status });
    if (status === "idle") {
      this.port.trace({ type: "idle", sessionID });
      this.map.delete(sessionID);
    } else {
      this.map.set(sessionID, status);
    }
  }

  get(sessionID: string): SessionStatus {
    this.port.touch?.(`status:${sessionID}`, false);
    return this.map.get(sessionID) ?? "idle";
  }
}
