import { Deferred, Effect, Fiber } from "effect";
import type { StoredMessage } from "../runner/MessageStore.ts";
import { CLEANUP_WAIT_MS, ToolPart } from "../runner/toolParts.ts";
import type { Instance } from "./Instance.ts";

type Outcome = "completed" | "error";

/**
 * A tool call of the Effect runner while it runs (the plain runner's toolCalls.ts, in Effect).
 * A sync task's execution is a fiber of its own, so that an interrupt of the step ends the step
 * at once: the step interrupts the tool's fiber without waiting for it, and the task cancels its
 * child, still waits for it, then completes its part late. Any other call interrupted settles
 * nothing, and the halt's cleanup errors it after its wait.
 */
export class EffectToolCall {
  readonly part: ToolPart;
  /** Done when the call is settled (the cleanup's wait ends early). */
  readonly done = Deferred.makeUnsafe<void>();
  /** The execution's outcome, for the step to settle the part while it is still there. */
  private readonly result = Deferred.makeUnsafe<Outcome>();
  private fiber: Fiber.Fiber<void, unknown> | undefined;

  constructor(
    private readonly inst: Instance,
    assistant: StoredMessage,
    call: number,
    tool: string,
    private readonly runID: string,
  ) {
    this.part = new ToolPart(inst, assistant, call, tool, runID);
  }

  /**
   * Runs the execution that `start` makes (given the late completion to run) and waits for its
   * outcome. Only an execution that can outlive an interrupt (`detached`: a sync task, which
   * waits for its child) gets a fiber of its own; any other runs in the step's fiber, and an
   * interrupt there leaves its part to the cleanup, as it would in a fiber of its own.
   */
  run(start: (completeLate: Effect.Effect<void>) => Effect.Effect<Outcome>, detached: boolean): Effect.Effect<Outcome> {
    if (!detached) return start(this.completeLate());
    const self = this;
    const body = start(this.completeLate()).pipe(Effect.flatMap((outcome) => Deferred.succeed(self.result, outcome)));
    return Effect.gen(function* () {
      self.fiber = yield* self.inst.fork(self.part.actor, Effect.asVoid(body));
      return yield* Deferred.await(self.result);
    });
  }

  /** The step was interrupted: interrupt the tool's fiber, without waiting for it to end. */
  abort(): Effect.Effect<void> {
    const fiber = this.fiber;
    if (!fiber || Deferred.isDoneUnsafe(this.result)) return Effect.void;
    return Effect.asVoid(this.inst.fork(`${this.part.actor}.abort`, Fiber.interrupt(fiber)));
  }

  /** The step's own settle (the stream's tool result). */
  settle(outcome: Outcome): void {
    this.part.write(outcome, this.runID);
    this.untrack();
  }

  /** Upstream: read, write if still running, settle (three steps); atomicToolSettle: one compare-and-set step. */
  private completeLate(): Effect.Effect<void> {
    const { part } = this;
    if (this.inst.design.atomicToolSettle) {
      return Effect.sync(() => {
        if (part.settleIfRunning("completed", part.actor)) Deferred.doneUnsafe(this.done, Effect.void);
      });
    }
    const self = this;
    return Effect.gen(function* () {
      const running = yield* Effect.sync(() => part.open && part.readStatus() === "running");
      if (!running) return;
      yield* Effect.sync(() => part.write("completed", part.actor));
      yield* Effect.sync(() => self.untrack());
    });
  }

  /** The halt's cleanup for one call still tracked after the wait (see the plain runner's RunningTool.errorPart). */
  errorPart(): Effect.Effect<void> {
    const { part } = this;
    const halt = `${this.runID} halt`;
    if (this.inst.design.atomicToolSettle) {
      return Effect.sync(() => {
        if (part.settleIfRunning("error", halt)) Deferred.doneUnsafe(this.done, Effect.void);
      });
    }
    return Effect.gen(function* () {
      const open = yield* Effect.sync(() => part.open && (part.readStatus(), true));
      if (!open) return;
      yield* Effect.sync(() => part.write("error", halt));
    });
  }

  untrack(): void {
    if (this.part.untrack()) Deferred.doneUnsafe(this.done, Effect.void);
  }
}

/** An interrupted step interrupts the executions of its tool calls still running. */
export const abortTools = (calls: readonly EffectToolCall[]): Effect.Effect<void> =>
  Effect.forEach(calls, (c) => c.abort(), { discard: true });

/**
 * The halt's cleanup of tool calls: wait until every call still tracked has settled or
 * {@link CLEANUP_WAIT_MS} have passed, then error those still tracked and drop them all.
 */
export const cleanupTools = (calls: readonly EffectToolCall[]): Effect.Effect<void> =>
  Effect.gen(function* () {
    const open = calls.filter((c) => c.part.open);
    if (open.length === 0) return;
    yield* Effect.raceFirst(
      Effect.forEach(open, (c) => Deferred.await(c.done), { discard: true }),
      Effect.sleep(CLEANUP_WAIT_MS),
    );
    for (const c of open) yield* c.errorPart();
    yield* Effect.sync(() => {
      for (const c of open) c.untrack();
    });
  });
