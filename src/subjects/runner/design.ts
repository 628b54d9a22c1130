/**
 * The design decisions that separate the runner variants. Every flag is one published or
 * proposed change to opencode's session runner; `false` everywhere is upstream as it stood
 * when PR #21528 was opened. See docs/design.md §2-§8.
 */
export interface RunnerDesign {
  /** PR #21528: before `break` after a `stop` step, re-read and continue if a newer user message exists. */
  readonly recheckBeforeBreak: boolean;
  /** §8: `ensureRunning` on Running sets `pending`; `finishRun` restarts instead of going Idle. */
  readonly pendingRestart: boolean;
  /** §8: delete the map entry only if it still holds this runner, in the same locked step as Idle. */
  readonly guardedDelete: boolean;
  /** §8: idle only from the runner's own transition (never from `halt`) and never while a runner runs. */
  readonly truthfulIdle: boolean;
  /** §8: a user message is answered when an assistant has its id as `parentID` (not by id order). */
  readonly answerByParent: boolean;
  /** Torn-read fix: the loop ignores user messages whose parts are still being written. */
  readonly completeMessagesOnly: boolean;
  /** Lost-cancel fix: prompts accepted before a cancel never start (or feed) a run after it. */
  readonly cancelWatermark: boolean;
  /** Cancel leaves the runner Running until the interrupted loop has exited (no second loop meanwhile). */
  readonly cancelAwaitsExit: boolean;
  /**
   * A session reads busy from the moment a prompt for it is accepted (synchronously, with the
   * acceptance) until no prompt is in flight and no run is active; only then is idle published.
   * Observers never see idle while a message is still being written or a wake-up is on its way.
   */
  readonly busyOnAccept: boolean;
  /**
   * Cancelling a parent cancels its whole tree: after the parent's run has exited, every job of
   * the parent (live list, not a snapshot taken before) is interrupted and its child session
   * cancelled; a job never wakes a parent cancelled after the job started.
   */
  readonly cancelTree: boolean;
  /**
   * A background job hands its child's result to the parent as one prompt_async that wants a
   * reply (no noReply injection and no separate wake-up, no 300 ms polling): the pending flag
   * covers a running parent, and answering by parent link covers a result queued behind others.
   */
  readonly directWake: boolean;
  /**
   * Several server instances over one store: a session's loop runs only on the instance that
   * holds its lease in the shared store (taken and released in the store's own atomic steps,
   * see Leases.ts); another instance stores its message and leaves it to the holder, which
   * runs again before it lets the lease go. One instance: no effect. Optional (default false),
   * so that a design written before it still type-checks.
   */
  readonly sessionLease?: boolean;
  /**
   * A tool part leaves `running` once, in one atomic store step: a tool that finishes after
   * its step was interrupted writes its result only if the part still reads running, and the
   * halt's cleanup errors only parts that still read running (compare-and-set in the store).
   * A dying run never overwrites a tool's result, and a late result never overwrites the
   * cleanup's error. Optional (default false), like sessionLease.
   */
  readonly atomicToolSettle?: boolean;
}

/** Upstream: every flag off. */
export const upstreamDesign: RunnerDesign = {
  recheckBeforeBreak: false,
  pendingRestart: false,
  guardedDelete: false,
  truthfulIdle: false,
  answerByParent: false,
  completeMessagesOnly: false,
  cancelWatermark: false,
  cancelAwaitsExit: false,
  busyOnAccept: false,
  cancelTree: false,
  directWake: false,
  sessionLease: false,
  atomicToolSettle: false,
};
