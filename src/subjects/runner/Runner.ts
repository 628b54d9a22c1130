import { isInterrupted } from "../../boundaries/port.ts";
import { deferred, type Deferred } from "./Deferred.ts";
import type { StoredMessage } from "./MessageStore.ts";
import type { RunnerContext } from "./RunnerContext.ts";

/** One run of the loop: a forked fiber with its own interrupt signal. */
export interface Run {
  readonly id: string;
  readonly abort: AbortController;
  /** Resolved once the run's fiber has exited and its finishRun is over. */
  readonly exited: Deferred<void>;
  /** What `ensureRunning` callers await. Shared by the runs a pending restart chains together. */
  readonly done: Deferred<StoredMessage | undefined>;
}

type RunnerState = { readonly kind: "idle" } | { readonly kind: "running"; readonly run: Run };

/**
 * The per-session state machine of docs/design.md §2: `Idle | Running(run)`. Each state change is
 * one synchronous step (the model's stand-in for the runner lock).
 */
export class Runner {
  /** invariant: `running` exactly while a run of this runner is forked and not finished (or cancelled, upstream). */
  private state: RunnerState = { kind: "idle" };
  /** pendingRestart design: a caller joined a run that may already have read its snapshot. */
  private pending = false;

  constructor(
    private readonly ctx: RunnerContext,
    readonly sessionID: string,
    readonly id: string,
  ) {}

  get running(): boolean {
    this.touch(false);
    return this.state.kind === "running";
  }

  /** Starts the loop if Idle, else joins the running one; resolves with the run's last assistant. */
  ensureRunning(waiter: string): Promise<StoredMessage | undefined> {
    this.touch(true);
    if (this.state.kind === "running") {
      if (this.ctx.design.pendingRestart) this.pending = true;
      return this.wait(this.state.run, waiter);
    }
    const run = this.start(deferred());
    return this.wait(run, waiter);
  }

  /** docs/design.md §2 `cancel` on a Running runner. */
  async cancel(request: string): Promise<void> {
    this.touch(true);
    if (this.state.kind !== "running") return;
    const run = this.state.run;
    if (this.ctx.design.cancelAwaitsExit) {
      // The runner stays Running until the interrupted fiber is gone: no second loop can
      // start meanwhile; a prompt accepted after the cancel sets `pending` instead.
      this.pending = false;
      run.abort.abort();
      this.ctx.port.trace({ type: "wait.start", sessionID: this.sessionID, waiter: request, runID: run.id });
      await run.exited.promise;
      this.touch(true);
      this.ctx.port.trace({ type: "wait.end", waiter: request });
      return;
    }
    this.setState({ kind: "idle" });
    run.abort.abort();
    await this.wait(run, request);
    // The state may have changed while we waited (a new run on this runner).
    if ((this.state as RunnerState).kind === "idle") await this.onIdle(`${request} onIdle`);
  }

  private start(done: Run["done"]): Run {
    const run: Run = {
      id: this.ctx.nextRunID(this.sessionID),
      abort: new AbortController(),
      exited: deferred(),
      done,
    };
    this.setState({ kind: "running", run });
    this.ctx.port.trace({ type: "loop.start", sessionID: this.sessionID, runID: run.id });
    void this.fiber(run);
    return run;
  }

  /** The forked loop fiber: fork start, the loop, then finishRun when it exits. */
  private async fiber(run: Run): Promise<void> {
    let result: StoredMessage | undefined;
    let outcome: "done" | "interrupted" | "error" = "done";
    try {
      await this.ctx.port.point(`${run.id} fork start`, { signal: run.abort.signal });
      result = await this.ctx.runLoop(this.sessionID, run);
    } catch (error) {
      this.touch(true);
      outcome = isInterrupted(error) ? "interrupted" : "error";
      if (outcome === "error") {
        this.ctx.port.trace({ type: "session.error", sessionID: this.sessionID, error: String(error) });
      }
    }
    this.ctx.port.trace({ type: "loop.end", sessionID: this.sessionID, runID: run.id, outcome });
    await this.finishRun(run, result);
  }

  /** docs/design.md §2 `finishRun`, with the fixed design's restart and guarded delete when enabled. */
  private async finishRun(run: Run, result: StoredMessage | undefined): Promise<void> {
    this.touch(true);
    const current = this.state.kind === "running" && this.state.run === run;
    const own = current && this.pending && this.ctx.design.pendingRestart;
    // sessionLease: another instance stored a message while this run held the lease; it is
    // this runner's to answer, as a joined caller's is. Otherwise the lease goes here.
    const leases = this.ctx.leases;
    const foreign = current && !own && leases !== undefined && leases.table.continueOrRelease(this.sessionID, leases.holder);
    if (own || foreign) {
      this.pending = false;
      this.start(run.done);
      run.exited.resolve();
      return;
    }
    if (current) {
      this.setState({ kind: "idle" });
      if (this.ctx.design.guardedDelete) {
        if (this.ctx.runners.get(this.sessionID) === this) this.deleteEntry(this.id);
        await this.ctx.publishIdle(this.sessionID, `${run.id} publish idle`);
      } else {
        // Upstream: onIdle runs outside the lock, after a gap in which anything may happen.
        await this.ctx.port.point(`${run.id} finishRun→onIdle`);
        await this.onIdle(run.id);
      }
    }
    run.exited.resolve();
    run.done.resolve(result);
  }

  /** Upstream `onIdle`: delete the map entry by key (whoever holds it), then publish idle. */
  private async onIdle(actor: string): Promise<void> {
    this.touch(true);
    const holder = this.ctx.runners.get(this.sessionID);
    if (holder) this.deleteEntry(holder.id);
    await this.ctx.publishIdle(this.sessionID, `${actor} publish idle`);
  }

  /** The runner's state, the runners map and the loops of the session share one key. */
  private touch(write: boolean): void {
    this.ctx.port.touch?.(`runners:${this.sessionID}`, write);
  }

  private deleteEntry(holderID: string): void {
    this.ctx.runners.delete(this.sessionID);
    this.ctx.port.trace({ type: "runners.delete", sessionID: this.sessionID, runner: holderID });
  }

  private async wait(run: Run, waiter: string): Promise<StoredMessage | undefined> {
    this.ctx.port.trace({ type: "wait.start", sessionID: this.sessionID, waiter, runID: run.id });
    const value = await run.done.promise;
    this.touch(true);
    this.ctx.port.trace({ type: "wait.end", waiter });
    return value;
  }

  private setState(state: RunnerState): void {
    this.touch(true);
    this.state = state;
    this.ctx.port.trace({
      type: "runner.state",
      sessionID: this.sessionID,
      runner: this.id,
      state: state.kind,
      ...(state.kind === "running" && { runID: state.run.id }),
    });
  }
}
