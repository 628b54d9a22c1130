import type { BusEvent, BusListener, PointOptions, RunnerPort, SessionStatus } from "../../boundaries/port.ts";

/**
 * The status map and the instance's bus. `set` publishes `session.status` (and the legacy
 * `session.idle` for idle), then updates the map; idle removes the entry. Every publish is
 * also reported through the port and handed, synchronously and in order, to subscribers
 * (the SSE streams of `GET /event`). `close` ends the streams (instance dispose).
 */
export class StatusBus {
  /** invariant: holds only non-idle statuses. */
  private readonly map = new Map<string, SessionStatus>();
  private readonly listeners: BusListener[] = [];
  private closed = false;

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
    this.publish({ type: "status", sessionID, status });
    if (status === "idle") {
      this.publish({ type: "idle", sessionID });
      this.map.delete(sessionID);
    } else {
      this.map.set(sessionID, status);
    }
  }

  /** Reports an event and hands it to every open stream. */
  publish(event: BusEvent): void {
    this.port.trace(event);
    if (this.closed) return;
    if (this.listeners.length > 0) this.port.touch?.("bus", true);
    for (const l of [...this.listeners]) l.event(event);
  }

  /** Adds a stream; returns its unsubscribe. A closed bus closes the stream at once. */
  subscribe(listener: BusListener): () => void {
    this.port.touch?.("bus", true);
    if (this.closed) {
      listener.close();
      return () => {};
    }
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Ends every stream; later publishes reach no subscriber. */
  close(): void {
    this.port.touch?.("bus", true);
    if (this.closed) return;
    this.closed = true;
    for (const l of this.listeners.splice(0)) l.close();
  }

  get(sessionID: string): SessionStatus {
    this.port.touch?.(`status:${sessionID}`, false);
    return this.map.get(sessionID) ?? "idle";
  }

  /** The status map as `GET /session/status` returns it. */
  snapshot(): Record<string, SessionStatus> {
    this.port.touch?.("status", false);
    return Object.fromEntries(this.map);
  }
}
