import type { PromptInput, PromptResult, RunnerPort, SessionRunner } from "../../boundaries/port.ts";
import { endJob, type Job } from "./children.ts";
import type { RunnerDesign } from "./design.ts";
import { MessageStore, toInfo, type StoredMessage } from "./MessageStore.ts";
import { answerByParent } from "./workTest.ts";
import { runLoop } from "./loop.ts";
import { Runner } from "./Runner.ts";
import type { RunnerContext } from "./RunnerContext.ts";
import { StatusBus } from "./StatusBus.ts";
import { Leases } from "./Leases.ts";

/**
 * The reference session-runner core (docs/design.md §1-§9): prompt, prompt_async
 * and cancel over the runners map, the Runner state machine and the loop, child sessions and
 * background jobs (`children.ts`), the bus with its streams, permission replies and instance
 * dispose. `design` selects the variant's decisions.
 */
export function createSessionRunner(port: RunnerPort, design: RunnerDesign): SessionRunner {
  const runCounters = new Map<string, number>();
  const runnerCounters = new Map<string, number>();
  const bump = (counters: Map<string, number>, key: string) => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };
  // Several instances share one store (and its leases); the runners map and the bus are each instance's own.
  const instance = port.instance;
  const store = instance ? instance.shared("messages", () => new MessageStore(port)) : new MessageStore(port);
  const status = new StatusBus(port);
  const qualifier = instance && instance.id !== "1" ? `@${instance.id}` : "";
  const leases = instance && design.sessionLease ? { table: instance.shared("leases", () => new Leases(port)), holder: instance.id } : undefined;
  const ctx: RunnerContext = {
    port,
    design,
    store,
    status,
    ...(leases && { leases }),
    runners: new Map(),
    accepted: instance ? instance.shared("accepted", () => ({ seq: 0 })) : { seq: 0 },
    cancelMarks: new Map(),
    inflight: new Map(),
    jobs: new Map<string, Job>(),
    parents: new Map(),
    permissions: new Map(),
    cancelEpochs: new Map(),
    fibers: new Set(),
    prompt: (input, job) => accepted(input, job),
    promptAsync: (input, job) => promptAsync(input, job),
    wake,
    cancel,
    nextRunID: (sid) => `${sid}${qualifier}.run${bump(runCounters, sid)}`,
    nextRunnerID: (sid) => `${sid}${qualifier}/r${bump(runnerCounters, sid)}`,
    runLoop: (sid, run) => runLoop(ctx, sid, run),
    async publishIdle(sid, label) {
      if (!design.truthfulIdle) return status.set(sid, "idle", label);
      await port.point(label);
      port.touch?.(`runners:${sid}`, false);
      port.touch?.(`inflight:${sid}`, false);
      if (ctx.runners.get(sid)?.running) return;
      if (design.busyOnAccept && (ctx.inflight.get(sid) ?? 0) > 0) return;
      status.publishNow(sid, "idle");
    },
  };

  /** Synchronous get-or-create. */
  function getRunner(sessionID: string): Runner {
    port.touch?.(`runners:${sessionID}`, true);
    let runner = ctx.runners.get(sessionID);
    if (!runner) {
      runner = new Runner(ctx, sessionID, ctx.nextRunnerID(sessionID));
      ctx.runners.set(sessionID, runner);
      port.trace({ type: "runners.set", sessionID, runner: runner.id });
    }
    return runner;
  }

  /**
   * A prompt entering the server: reported as `request.start`, and with busyOnAccept the
   * session reads busy from this very step until the prompt's work is over.
   */
  function accepted(input: PromptInput, job?: string): Promise<PromptResult> {
    port.touch?.("accept", true);
    ctx.accepted.seq += 1;
    const seq = ctx.accepted.seq;
    return tracked(input.sessionID, input.request, job, () => prompt(input, seq));
  }

  async function tracked<T>(sessionID: string, request: string, job: string | undefined, work: () => Promise<T>): Promise<T> {
    port.trace({ type: "request.start", sessionID, request, ...(job !== undefined && { job }) });
    if (design.busyOnAccept) {
      port.touch?.(`inflight:${sessionID}`, true);
      ctx.inflight.set(sessionID, (ctx.inflight.get(sessionID) ?? 0) + 1);
      if (status.get(sessionID) !== "busy") status.publishNow(sessionID, "busy");
    }
    try {
      return await work();
    } finally {
      port.trace({ type: "request.end", request });
      if (design.busyOnAccept) {
        port.touch?.(`inflight:${sessionID}`, true);
        const left = (ctx.inflight.get(sessionID) ?? 1) - 1;
        if (left > 0) ctx.inflight.set(sessionID, left);
        else ctx.inflight.delete(sessionID);
        port.touch?.(`runners:${sessionID}`, false);
        // Decided and published in one step, like the runner's own transition: nothing can
        // slip in between the check and the publish.
        if (left === 0 && !ctx.runners.get(sessionID)?.running) status.publishNow(sessionID, "idle");
      }
    }
  }

  function promptAsync(input: PromptInput, job?: string): void {
    // 204 at once; errors are only published.
    accepted(input, job).catch((error: unknown) => {
      port.trace({ type: "session.error", sessionID: input.sessionID, error: String(error) });
    });
  }

  /** `loop(sid)` with no new message: a job's wake-up of its parent. */
  async function wake(sessionID: string, request: string, job: string): Promise<void> {
    await tracked(sessionID, request, job, () => getRunner(sessionID).ensureRunning(request));
  }

  /** Writes the user message (info, then one write per part), touches the session, runs the loop. */
  async function prompt(input: PromptInput, seq: number): Promise<PromptResult> {
    const { sessionID, request, parts } = input;
    await port.point(`${request} write user info`);
    const user: StoredMessage = store.insert({
      id: input.messageID ?? store.newID(),
      sessionID,
      role: "user",
      parts: [],
      request,
      complete: parts.length === 0,
      acceptSeq: seq,
      ...(input.noReply !== undefined && { noReply: input.noReply }),
    });
    for (let i = 0; i < parts.length; i++) {
      await port.point(`${request} write part ${i + 1}/${parts.length}`);
      store.addPart(user, parts[i]!, i === parts.length - 1);
    }
    await port.point(`${request} touch session`);
    if (input.noReply) return { message: toInfo(user) };
    port.touch?.(`cancel:${sessionID}`, false);
    if (design.cancelWatermark && seq <= (ctx.cancelMarks.get(sessionID) ?? 0)) {
      store.markCancelled(user);
      return { message: toInfo(user) };
    }
    if (leases && !leases.table.take(sessionID, leases.holder)) {
      // Another instance runs this session: it runs again for this message before it lets go.
      return { message: toInfo(await store.whenAnswered(user)) };
    }
    const last = await getRunner(sessionID).ensureRunning(request);
    const reply = design.answerByParent ? (answerOf(user) ?? last) : last;
    return reply ? { message: toInfo(reply) } : {};
  }

  function answerOf(user: StoredMessage): StoredMessage | undefined {
    return answerByParent(store.list(user.sessionID), user);
  }

  /**
   * `POST /session/:id/abort`. Upstream walks one snapshot of the session's background jobs
   * and interrupts their fibers (the children run on), then cancels the runner. cancelTree:
   * cancel the runner first, then every job of the live list, each with its child session.
   */
  async function cancel(sessionID: string, request: string): Promise<void> {
    port.trace({ type: "cancel.start", sessionID, request });
    port.touch?.("accept", false);
    port.touch?.(`cancel:${sessionID}`, true);
    port.touch?.(`runners:${sessionID}`, false);
    port.touch?.("jobs", false);
    if (design.cancelWatermark) ctx.cancelMarks.set(sessionID, ctx.accepted.seq);
    const epoch = (ctx.cancelEpochs.get(sessionID) ?? 0) + 1;
    ctx.cancelEpochs.set(sessionID, epoch);
    // cancelTree: the child sessions that exist as the cancel begins; their subtrees stop too.
    const children = design.cancelTree ? childrenOf(sessionID) : [];
    const snapshot = design.cancelTree ? [] : jobsOf(sessionID);
    for (const job of snapshot) {
      await port.point(`${request} cancel job ${job.id}`);
      job.abort.abort();
    }
    const runner = ctx.runners.get(sessionID);
    if (runner?.running) await runner.cancel(request);
    else await ctx.publishIdle(sessionID, `${request} publish idle`);
    if (design.cancelTree) {
      // Jobs started before this cancel began; later ones belong to runs it does not cover.
      const covered = () => jobsOf(sessionID).find((j) => j.epoch < epoch);
      const stopped = new Set<string>();
      for (let job = covered(); job; job = covered()) {
        await port.point(`${request} cancel job ${job.id}`);
        job.abort.abort();
        endJob(ctx, job, "interrupted");
        stopped.add(job.sessionID);
        await cancel(job.sessionID, `${request}.${job.sessionID}`);
      }
      // A child whose job is over (it woke this session, or saw the cancel and ended itself)
      // or a sync child may still have work below it: its own jobs, children and prompts.
      for (const child of children) {
        if (!stopped.has(child)) await cancel(child, `${request}.${child}`);
      }
    }
    port.touch?.(`runners:${sessionID}`, true);
    port.trace({ type: "cancel.end", sessionID, request });
  }

  function childrenOf(sessionID: string): string[] {
    port.touch?.("parents", false);
    return [...ctx.parents].filter(([, parent]) => parent === sessionID).map(([child]) => child);
  }

  function jobsOf(sessionID: string): Job[] {
    port.touch?.("jobs", false);
    return [...ctx.jobs.values()].filter((j) => j.parentID === sessionID);
  }

  /**
   * docs/design.md §6: every disposer at once, in no order: cancel every runner (each its own
   * fiber), publish `instance.disposed` and close the bus, interrupt forked fibers.
   */
  async function dispose(request: string): Promise<void> {
    port.touch?.("runners", false);
    const work: Promise<void>[] = [];
    for (const [sid, runner] of [...ctx.runners]) {
      work.push(
        (async () => {
          const name = `${request}.${sid}`;
          await port.point(`${name} cancel`);
          if (runner.running) await runner.cancel(name);
        })(),
      );
    }
    work.push(
      (async () => {
        await port.point(`${request}.bus publish disposed`);
        status.publish({ type: "instance.disposed" });
        status.close();
      })(),
      (async () => {
        await port.point(`${request}.fibers interrupt`);
        for (const fiber of [...ctx.fibers]) fiber.abort();
      })(),
    );
    await Promise.all(work);
  }

  return {
    prompt: (input) => accepted(input),
    promptAsync: (input) => promptAsync(input),
    cancel,
    subscribe: (listener) => {
      status.subscribe(listener);
    },
    statuses: () => status.snapshot(),
    replyPermission(sessionID, permissionID, reply) {
      const ask = ctx.permissions.get(permissionID);
      if (!ask || ask.sessionID !== sessionID) return;
      status.publish({ type: "permission.replied", sessionID, permissionID, reply });
      ask.answer(reply);
    },
    dispose,
  };
}
