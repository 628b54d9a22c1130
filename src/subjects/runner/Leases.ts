import type { RunnerPort } from "../../boundaries/port.ts";

/**
 * Per-session leases in the store that several server instances share (the fixed design's
 * `sessionLease`): the instance holding a session's lease is the only one that runs its loop.
 * Each method is one synchronous store operation (the model's stand-in for a transaction), so
 * nothing can slip in between a check and the write it decides.
 *
 * The handover has no gap: an instance that finds the lease held stores its message first,
 * then marks the lease `pending` in the same operation that found it held; the holder, as its
 * run finishes, either sees the mark and runs again (keeping the lease), or releases the lease
 * before the other instance looked, which then takes it and runs the loop itself.
 */
export class Leases {
  private readonly held = new Map<string, { holder: string; pending: boolean }>();

  constructor(private readonly port: RunnerPort) {}

  /** Takes `sessionID`'s lease for `holder` if it is free; if another holds it, marks it pending. True when `holder` holds it now. */
  take(sessionID: string, holder: string): boolean {
    this.port.touch?.(`lease:${sessionID}`, true);
    const lease = this.held.get(sessionID);
    if (!lease) {
      this.held.set(sessionID, { holder, pending: false });
      return true;
    }
    if (lease.holder === holder) return true;
    lease.pending = true;
    return false;
  }

  /**
   * The holder's run of `sessionID` is over. True when another instance stored work meanwhile:
   * the holder runs again and keeps the lease. Otherwise the lease is released.
   */
  continueOrRelease(sessionID: string, holder: string): boolean {
    this.port.touch?.(`lease:${sessionID}`, true);
    const lease = this.held.get(sessionID);
    if (!lease || lease.holder !== holder) return false;
    if (lease.pending) {
      lease.pending = false;
      return true;
    }
    this.held.delete(sessionID);
    return false;
  }
}
