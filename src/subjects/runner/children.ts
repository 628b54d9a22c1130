import { Interrupted, isInterrupted, type ChildTask, type ToolCall } from "../../boundaries/port.ts";
import type { Run } from "./Runner.ts";
import type { RunnerContext } from "./RunnerContext.ts";

/** A background task (docs/design.md §5): a child session whose result goes back to its parent. */
export interface Job {
  /** `<child>.job`; names the job fiber's scheduling points. */
  readonly id: string;
  readonly parentID: string;
  /** The child session. */
  readonly sessionID: string;
  readonly style: "plugin" | "job";
  /** Interrupts the job fiber (not the child: the fiber only awaits the child). */
  readonly abort: AbortController;
  /** The parent's cancel epoch when the job started (cancelTree: a later cancel stops the wake-up). */
  readonly epoch: number;
}

/**
 * Runs one tool call inside an LLM step and returns its tool part's status. A call may first
 * ask permission (the step waits for the answer); a `task` call creates a child session and
 * either runs it to completion (sync) or starts it in the background.
 */
export async function runTool(ctx: RunnerContext, sessionID: string, run: Run, call: ToolCall, permissionID: string): Promise<"completed" | "error"> {
  if (call.ask && !(await askPermission(ctx, sessionID, run, call.tool, permissionID))) return "error";
  const child = call.child;
  if (!child) return "completed";
  const signal = run.abort.signal;
  await ctx.port.point(`${run.id} create ${child.session}`, { signal });
  ctx.port.touch?.(`session:${child.session}`, true);
  ctx.port.touch?.("parents", true);
  ctx.parents.set(child.session, sessionID);
  ctx.status.publish({ type: "session.created", sessionID: child.session, parentID: sessionID });
  if (child.background) {
    startJob(ctx, sessionID, child, child.background);
    return "completed";
  }
  // The sync task tool: the child's run is awaited inside the tool call; a parent abort
  // cancels the child through the tool's abort signal, fire and forget. The tool then returns
  // the child's answer as usual: after an abort it completes its own part (toolParts.ts).
  const request = `${child.session}.task`;
  const onAbort = () => {
    ctx.cancel(child.session, `${request}.abort`).catch(() => {});
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await ctx.prompt({ sessionID: child.session, parts: child.parts, request });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  return "completed";
}

/** Publishes `permission.asked` and waits for the owner's reply (or the run's interrupt). */
function askPermission(ctx: RunnerContext, sessionID: string, run: Run, tool: string, permissionID: string): Promise<boolean> {
  const signal = run.abort.signal;
  if (signal.aborted) return Promise.reject(new Interrupted(`${run.id} ask ${tool}`));
  return new Promise<boolean>((resolve, reject) => {
    const onAbort = () => {
      ctx.permissions.delete(permissionID);
      reject(new Interrupted(`${run.id} ask ${tool}`));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    ctx.permissions.set(permissionID, {
      sessionID,
      answer(reply) {
        signal.removeEventListener("abort", onAbort);
        ctx.permissions.delete(permissionID);
        resolve(reply === "allow");
      },
    });
    ctx.status.publish({ type: "permission.asked", sessionID, permissionID, tool });
  });
}

function startJob(ctx: RunnerContext, parentID: string, child: ChildTask, style: "plugin" | "job"): void {
  const job: Job = {
    id: `${child.session}.job`,
    parentID,
    sessionID: child.session,
    style,
    abort: new AbortController(),
    epoch: ctx.cancelEpochs.get(parentID) ?? 0,
  };
  ctx.port.touch?.("jobs", true);
  ctx.jobs.set(job.id, job);
  ctx.fibers.add(job.abort);
  ctx.status.publish({ type: "job.start", job: job.id, parentID, sessionID: child.session, style });
  if (style === "plugin") {
    // The plugin watches the bus for the child's idle, then injects and wakes the parent.
    const idle = childIdle(ctx, job);
    ctx.promptAsync({ sessionID: child.session, parts: child.parts, request: `${child.session}.bg` }, job.id);
    void pluginJob(ctx, job, idle);
  } else {
    void backgroundJob(ctx, job, child.parts);
  }
}

/** Resolves at the child's next `session.idle` on the bus; rejects when the job is interrupted or the bus closes. */
function childIdle(ctx: RunnerContext, job: Job): Promise<void> {
  const signal = job.abort.signal;
  return new Promise<void>((resolve, reject) => {
    let done = false;
    // A bus already closed by dispose closes the stream inside `subscribe`, before it returns.
    let unsubscribe: () => void = () => {};
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      unsubscribe();
      signal.removeEventListener("abort", onAbort);
      if (ok) resolve();
      else reject(new Interrupted(`${job.id} wait idle`));
    };
    const onAbort = () => finish(false);
    signal.addEventListener("abort", onAbort, { once: true });
    unsubscribe = ctx.status.subscribe({
      event: (e) => {
        if (e.type === "idle" && e.sessionID === job.sessionID) finish(true);
      },
      close: () => finish(false),
    });
  });
}

/** Plugin style: on the child's idle, inject its result as a noReply message, then prompt_async the parent. */
async function pluginJob(ctx: RunnerContext, job: Job, idle: Promise<void>): Promise<void> {
  const signal = job.abort.signal;
  try {
    await idle;
    await ctx.port.point(`${job.id} inject`, { signal });
    if (ctx.design.directWake) return deliver(ctx, job);
    await ctx.prompt({ sessionID: job.parentID, parts: [`result of ${job.sessionID}`], noReply: true, request: `${job.id}.inject` }, job.id);
    await ctx.port.point(`${job.id} wake parent`, { signal });
    if (cancelledSince(ctx, job)) return endJob(ctx, job, "interrupted");
    ctx.promptAsync({ sessionID: job.parentID, parts: [`${job.sessionID} finished`], request: `${job.id}.wake` }, job.id);
    endJob(ctx, job, "woke");
  } catch (error) {
    if (!(isInterrupted(error))) throw error;
    endJob(ctx, job, "interrupted");
  }
}

/**
 * Upstream's background job: run the child and await its runner's `done`, inject the result
 * as a noReply message, then `resumeWhenIdle`: if the parent's latest user message is the
 * injected one and the parent is idle, `loop(parent)`; else sleep 300 ms and check again.
 * (directWake: call `loop(parent)` at once; the pending flag covers a running parent.)
 */
async function backgroundJob(ctx: RunnerContext, job: Job, parts: readonly string[]): Promise<void> {
  const signal = job.abort.signal;
  try {
    await ctx.port.point(`${job.id} start child`, { signal });
    await untilAborted(ctx.prompt({ sessionID: job.sessionID, parts, request: `${job.sessionID}.bg` }, job.id), signal, `${job.id} await child`);
    await ctx.port.point(`${job.id} inject`, { signal });
    if (ctx.design.directWake) return deliver(ctx, job);
    const injected = await ctx.prompt(
      { sessionID: job.parentID, parts: [`result of ${job.sessionID}`], noReply: true, request: `${job.id}.inject` },
      job.id,
    );
    for (;;) {
      await ctx.port.point(`${job.id} check parent`, { signal });
      const latest = ctx.store.lastUser(job.parentID);
      if (latest?.id === injected.message?.id && ctx.status.get(job.parentID) === "idle") break;
      await sleep(ctx, `${job.id} sleep 300ms`, 300, signal);
    }
    if (cancelledSince(ctx, job)) return endJob(ctx, job, "interrupted");
    void ctx.wake(job.parentID, `${job.id}.wake`, job.id);
    endJob(ctx, job, "woke");
  } catch (error) {
    if (!(isInterrupted(error))) throw error;
    endJob(ctx, job, "interrupted");
  }
}

/** directWake: the result goes to the parent as one prompt_async that wants a reply. */
function deliver(ctx: RunnerContext, job: Job): void {
  if (cancelledSince(ctx, job)) return endJob(ctx, job, "interrupted");
  ctx.promptAsync({ sessionID: job.parentID, parts: [`result of ${job.sessionID}`], request: `${job.id}.inject` }, job.id);
  endJob(ctx, job, "woke");
}

function cancelledSince(ctx: RunnerContext, job: Job): boolean {
  ctx.port.touch?.(`cancel:${job.parentID}`, false);
  return ctx.design.cancelTree && (ctx.cancelEpochs.get(job.parentID) ?? 0) !== job.epoch;
}

/** Takes a job off the list and publishes `job.end` (once: a later call does nothing). */
export function endJob(ctx: RunnerContext, job: Job, outcome: "woke" | "interrupted"): void {
  ctx.port.touch?.("jobs", true);
  if (!ctx.jobs.delete(job.id)) return;
  ctx.fibers.delete(job.abort);
  ctx.status.publish({ type: "job.end", job: job.id, parentID: job.parentID, outcome });
}

/** A virtual-time sleep; the timer fires only as a scheduling choice. */
function sleep(ctx: RunnerContext, label: string, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Interrupted(label));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      ctx.port.timers.clearTimeout(handle);
      reject(new Interrupted(label));
    };
    const handle = ctx.port.timers.setTimeout(label, ms, () => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Awaits `promise` unless `signal` aborts first (the awaited work goes on regardless). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, label: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted(label));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted(label));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
