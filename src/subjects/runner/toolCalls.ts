import { Interrupted, isInterrupted } from "../../boundaries/port.ts";
import { deferred, type Deferred } from "./Deferred.ts";
import type { StoredMessage } from "./MessageStore.ts";
import type { Run } from "./Runner.ts";
import type { RunnerContext } from "./RunnerContext.ts";
import { CLEANUP_WAIT_MS, ToolPart } from "./toolParts.ts";

/** A tool call of the plain runner while it runs: its part, and the signal that it was settled. */
export class RunningTool {
  readonly part: ToolPart;
  /** Resolved when the call is settled (the cleanup's wait ends early). */
  readonly done: Deferred<void> = deferred<void>();

  constructor(
    private readonly ctx: RunnerContext,
    assistant: StoredMessage,
    call: number,
    tool: string,
    private readonly run: Run,
  ) {
    this.part = new ToolPart(ctx, assistant, call, tool, run.id);
  }

  /** The step's own settle (the stream's tool result), in the run's step. */
  settle(status: "completed" | "error"): void {
    this.part.write(status, this.run.id);
    this.untrack();
  }

  /**
   * The tool finished after its step was interrupted, so the stream that would have delivered
   * its result is gone and the tool completes its own part. Upstream reads the part, writes it
   * if it still reads running, then settles: three steps, so a cleanup can read between them
   * and write `error` over the result. atomicToolSettle: one compare-and-set step.
   */
  async completeLate(): Promise<void> {
    const { port } = this.ctx;
    const { part } = this;
    if (this.ctx.design.atomicToolSettle) {
      await port.point(`${part.actor} complete part`);
      if (part.settleIfRunning("completed", part.actor)) this.done.resolve();
      return;
    }
    await port.point(`${part.actor} read part`);
    if (!part.open || part.readStatus() !== "running") return;
    await port.point(`${part.actor} write completed`);
    part.write("completed", part.actor);
    await port.point(`${part.actor} settle`);
    this.untrack();
  }

  /**
   * The halt's cleanup for one call still tracked after the wait. Upstream reads the part and
   * writes `error` whatever it read (the tool may have completed in between). atomicToolSettle:
   * errors it only if it still reads running, in the cleanup's step.
   */
  async errorPart(): Promise<void> {
    const { port } = this.ctx;
    const { part } = this;
    const halt = `${this.run.id} halt`;
    if (this.ctx.design.atomicToolSettle) {
      if (part.settleIfRunning("error", halt)) this.done.resolve();
      return;
    }
    await port.point(`${halt} read tool ${part.call}`);
    if (!part.open) return;
    part.readStatus();
    await port.point(`${halt} error tool ${part.call}`);
    part.write("error", halt);
  }

  /** Stops tracking the call (the cleanup drops every call it looked at: a late completion then finds nothing). */
  untrack(): void {
    if (this.part.untrack()) this.done.resolve();
  }
}

/**
 * Runs `execution` as the call's tool and settles the part when the step is still there to
 * see the result; after an interrupt, a successful result completes the part late (upstream's
 * tool wrapper does so when its abort signal has fired). A failure after an interrupt settles
 * nothing: nobody reads it, and the cleanup's wait runs out.
 */
export function executeTool(call: RunningTool, signal: AbortSignal, execution: Promise<"completed" | "error">): Promise<"completed" | "error"> {
  return new Promise((resolve, reject) => {
    let left = false;
    const onAbort = () => {
      left = true;
      reject(new Interrupted(`${call.part.actor} await`));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    execution.then(
      (outcome) => {
        signal.removeEventListener("abort", onAbort);
        if (!left) resolve(outcome);
        else if (outcome === "completed") void call.completeLate();
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (!left) reject(error);
        else if (!isInterrupted(error)) throw error;
      },
    );
  });
}

/**
 * The halt's cleanup of tool calls (upstream's processor cleanup): wait until every call still
 * tracked has settled or {@link CLEANUP_WAIT_MS} have passed (a timer, so a scheduling choice),
 * then error those still tracked and drop them all.
 */
export async function cleanupTools(ctx: RunnerContext, run: Run, calls: readonly RunningTool[]): Promise<void> {
  const open = calls.filter((c) => c.part.open);
  if (open.length === 0) return;
  await settledOrTimeout(ctx, run, open);
  await ctx.port.point(`${run.id} halt error tools`);
  for (const c of open) await c.errorPart();
  for (const c of open) c.untrack();
}

function settledOrTimeout(ctx: RunnerContext, run: Run, open: readonly RunningTool[]): Promise<void> {
  return new Promise<void>((resolve) => {
    let over = false;
    const finish = () => {
      ctx.port.touch?.(`toolwait:${run.id}`, true);
      if (over) return;
      over = true;
      ctx.port.timers.clearTimeout(handle);
      resolve();
    };
    const handle = ctx.port.timers.setTimeout(`${run.id} halt wait tools ${CLEANUP_WAIT_MS}ms`, CLEANUP_WAIT_MS, finish);
    void Promise.all(open.map((c) => c.done.promise)).then(finish);
  });
}
