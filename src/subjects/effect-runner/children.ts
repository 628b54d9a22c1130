import { Deferred, Effect, Fiber } from "effect";
import type { RacelabPort } from "../../boundaries/effect/RacelabPort.ts";
import type { ChildTask, ToolCall } from "../../boundaries/port.ts";
import type { Instance, Job } from "./Instance.ts";

/**
 * Runs one tool call inside an LLM step and returns its tool part's status (docs/design.md
 * §5). A call may first ask permission (the step waits for the answer); a `task` call
 * creates a child session and either runs it to completion (sync) or starts it in the
 * background.
 */
export const runTool = (
  inst: Instance,
  sessionID: string,
  call: ToolCall,
  permissionID: string,
  completeLate: Effect.Effect<void>,
): Effect.Effect<"completed" | "error"> =>
  Effect.gen(function* () {
    if (call.ask && !(yield* askPermission(inst, sessionID, call.tool, permissionID))) return "error";
    const child = call.child;
    if (!child) return "completed";
    yield* Effect.sync(() => {
      inst.parents.set(child.session, sessionID);
      inst.status.publish({ type: "session.created", sessionID: child.session, parentID: sessionID });
    });
    if (child.background) {
      yield* startJob(inst, sessionID, child, child.background);
      return "completed";
    }
    // The sync task tool: the child's prompt runs in its own fiber and the tool waits for it.
    // The call's abort (an interrupt of the tool's fiber) cancels the child, fire and forget;
    // the tool still waits for the child's prompt to come back and then, its step being gone,
    // completes its own part (toolCalls.ts).
    const request = `${child.session}.task`;
    const task = (yield* inst.promptAsync({ sessionID: child.session, parts: child.parts, request }))!;
    yield* Fiber.await(task).pipe(
      Effect.onInterrupt(() =>
        Effect.gen(function* () {
          yield* inst.fork(`${request}.abort`, inst.cancel(child.session, `${request}.abort`));
          yield* Fiber.await(task);
          yield* completeLate;
        }),
      ),
    );
    return "completed";
  });

/** Publishes `permission.asked` and waits for the owner's reply (or the call's abort). */
const askPermission = (inst: Instance, sessionID: string, tool: string, permissionID: string) =>
  Effect.gen(function* () {
    const answer = yield* Deferred.make<boolean>();
    yield* Effect.sync(() => {
      inst.permissions.set(permissionID, { sessionID, answer });
      inst.status.publish({ type: "permission.asked", sessionID, permissionID, tool });
    });
    return yield* Deferred.await(answer).pipe(Effect.ensuring(Effect.sync(() => inst.permissions.delete(permissionID))));
  });

const startJob = (inst: Instance, parentID: string, child: ChildTask, style: "plugin" | "job") =>
  Effect.gen(function* () {
    const job: Job = { id: `${child.session}.job`, parentID, sessionID: child.session, style, epoch: inst.cancelEpochs.get(parentID) ?? 0, fiber: undefined };
    inst.jobs.set(job.id, job);
    inst.status.publish({ type: "job.start", job: job.id, parentID, sessionID: child.session, style });
    if (style === "plugin") {
      // The plugin watches the bus for the child's idle, then injects and wakes the parent.
      const idle = childIdle(inst, job);
      yield* inst.promptAsync({ sessionID: child.session, parts: child.parts, request: `${child.session}.bg` }, job.id, () => cancelledSince(inst, job));
      job.fiber = yield* inst.fork(job.id, pluginJob(inst, job, idle));
    } else {
      job.fiber = yield* inst.fork(job.id, backgroundJob(inst, job, child.parts));
    }
    inst.fibers.add(job.fiber);
  });

/** Completes at the child's next `session.idle` on the bus with `true`; with `false` when the bus closes. */
function childIdle(inst: Instance, job: Job): Deferred.Deferred<boolean> {
  const idle = Deferred.makeUnsafe<boolean>();
  let unsubscribe: () => void = () => {};
  const finish = (ok: boolean) => {
    unsubscribe();
    Deferred.doneUnsafe(idle, ok ? exitTrue : exitFalse);
  };
  // A bus already closed by dispose closes the stream inside `subscribe`, before it returns.
  unsubscribe = inst.status.subscribe({
    event: (e) => {
      if (e.type === "idle" && e.sessionID === job.sessionID) finish(true);
    },
    close: () => finish(false),
  });
  return idle;
}

const exitTrue = Effect.succeed(true);
const exitFalse = Effect.succeed(false);

/** Plugin style: on the child's idle, inject its result as a noReply message, then prompt_async the parent. */
const pluginJob = (inst: Instance, job: Job, idle: Deferred.Deferred<boolean>) =>
  Effect.gen(function* () {
    if (!(yield* Deferred.await(idle))) return endJob(inst, job, "interrupted");
    if (inst.design.directWake) return yield* deliver(inst, job);
    const stopped = () => cancelledSince(inst, job);
    const injected = yield* inst.promptNow({ sessionID: job.parentID, parts: [`result of ${job.sessionID}`], noReply: true, request: `${job.id}.inject` }, job.id, stopped);
    const woke = injected && (yield* inst.promptAsync({ sessionID: job.parentID, parts: [`${job.sessionID} finished`], request: `${job.id}.wake` }, job.id, stopped));
    endJob(inst, job, woke ? "woke" : "interrupted");
  }).pipe(Effect.onInterrupt(() => Effect.sync(() => endJob(inst, job, "interrupted"))));

/**
 * Upstream's background job: run the child and await its prompt, inject the result as a
 * noReply message, then `resumeWhenIdle`: if the parent's latest user message is the
 * injected one and the parent is idle, `loop(parent)`; else sleep 300 ms and check again.
 * (directWake: hand the result over at once; the pending flag covers a running parent.)
 */
const backgroundJob = (inst: Instance, job: Job, parts: readonly string[]) =>
  Effect.gen(function* () {
    // The child runs in its own fiber: interrupting the job only stops the waiting.
    const stopped = () => cancelledSince(inst, job);
    const childRun = yield* inst.promptAsync({ sessionID: job.sessionID, parts, request: `${job.sessionID}.bg` }, job.id, stopped);
    if (!childRun) return endJob(inst, job, "interrupted");
    yield* Fiber.await(childRun);
    if (inst.design.directWake) return yield* deliver(inst, job);
    const injected = yield* inst.promptNow({ sessionID: job.parentID, parts: [`result of ${job.sessionID}`], noReply: true, request: `${job.id}.inject` }, job.id, stopped);
    if (!injected) return endJob(inst, job, "interrupted");
    for (;;) {
      const latest = inst.store.lastUser(job.parentID);
      if (latest?.id === injected.message?.id && inst.status.get(job.parentID) === "idle") break;
      yield* Effect.sleep(300);
    }
    if (cancelledSince(inst, job)) return endJob(inst, job, "interrupted");
    yield* inst.fork(`${job.id}.wake`, inst.wake(job.parentID, `${job.id}.wake`, job.id, stopped));
    endJob(inst, job, "woke");
  }).pipe(Effect.onInterrupt(() => Effect.sync(() => endJob(inst, job, "interrupted"))));

/** directWake: the result goes to the parent as one prompt_async that wants a reply. */
const deliver = (inst: Instance, job: Job) =>
  Effect.gen(function* () {
    const delivered = yield* inst.promptAsync({ sessionID: job.parentID, parts: [`result of ${job.sessionID}`], request: `${job.id}.inject` }, job.id, () => cancelledSince(inst, job));
    endJob(inst, job, delivered ? "woke" : "interrupted");
  });

function cancelledSince(inst: Instance, job: Job): boolean {
  return inst.design.cancelTree && (inst.cancelEpochs.get(job.parentID) ?? 0) !== job.epoch;
}

/** Takes a job off the list and publishes `job.end` (once: a later call does nothing). */
export function endJob(inst: Instance, job: Job, outcome: "woke" | "interrupted"): void {
  if (!inst.jobs.delete(job.id)) return;
  if (job.fiber) inst.fibers.delete(job.fiber);
  inst.status.publish({ type: "job.end", job: job.id, parentID: job.parentID, outcome });
}
