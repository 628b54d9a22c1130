import { Deferred, Effect, Fiber, Scope } from "effect";
import type { EffectSessionHandlers } from "../../boundaries/effect/effectRunner.ts";
import { RacelabPort, withLabel } from "../../boundaries/effect/RacelabPort.ts";
import type { PromptInput, PromptResult, RunnerPort } from "../../boundaries/port.ts";
import type { RunnerDesign } from "../runner/design.ts";
import { MessageStore, toInfo, type StoredMessage } from "../runner/MessageStore.ts";
import { answerByParent } from "../runner/workTest.ts";
import { StatusBus } from "../runner/StatusBus.ts";
import { endJob } from "./children.ts";
import type { Instance, Job, RunnerEntry, RunnerModule } from "./Instance.ts";
import { runLoop } from "./loop.ts";
import * as Runner from "./Runner.ts";

/**
 * Builds one instance of the Effect reference server (docs/design.md §1-§9): the runners map
 * with get-or-create and onIdle (delete, then publish idle), the loop, prompt / prompt_async /
 * noReply / cancel, child sessions and jobs, the bus with its streams, permission replies and
 * instance dispose. `design` selects the variant's decisions; `runnerModule` is the per-session
 * Runner (a copy of `Runner.ts` for a user's own variant).
 */
export const makeServer = (design: RunnerDesign, runnerModule: RunnerModule = Runner): Effect.Effect<EffectSessionHandlers<Accepted>, never, RacelabPort> =>
  Effect.gen(function* () {
    const port = yield* Effect.service(RacelabPort);
    const scope = yield* Scope.make();
    const inst = createInstance(port, design, scope, runnerModule);
    return {
      accept: (call) =>
        Effect.sync((): Accepted => {
          if (call.action === "cancel") return beginCancel(inst, call.sessionID, call.request);
          if (call.action === "dispose") return { runners: [...inst.runners] };
          return inst.accept(call.input);
        }),
      prompt: (input, seq) => inst.prompt(input, seq as number),
      promptAsync: (input, seq) => detached(inst, input, inst.prompt(input, seq as number)),
      cancel: (sessionID, request, ticket) => cancelBody(inst, sessionID, request, ticket as CancelTicket),
      subscribe: (listener) => Effect.sync(() => void inst.status.subscribe(listener)),
      statuses: () => Effect.sync(() => inst.status.snapshot()),
      replyPermission: (sessionID, permissionID, reply) =>
        Effect.gen(function* () {
          const ask = inst.permissions.get(permissionID);
          if (!ask || ask.sessionID !== sessionID) return;
          inst.status.publish({ type: "permission.replied", sessionID, permissionID, reply });
          yield* Deferred.succeed(ask.answer, reply === "allow");
        }),
      dispose: (request, arrived) => dispose(inst, request, arrived as DisposeTicket),
    };
  });

function createInstance(port: RunnerPort, design: RunnerDesign, scope: Scope.Scope, runnerModule: RunnerModule): Instance {
  const runCounters = new Map<string, number>();
  const runnerCounters = new Map<string, number>();
  const bump = (counters: Map<string, number>, key: string) => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };
  const store = new MessageStore(port);
  const status = new StatusBus(port);
  const fork: Instance["fork"] = (name, effect) => Effect.forkIn(effect, scope).pipe(withLabel(name));

  const inst: Instance = {
    port,
    design,
    store,
    status,
    scope,
    runners: new Map(),
    acceptSeq: 0,
    cancelMarks: new Map(),
    inflight: new Map(),
    jobs: new Map(),
    parents: new Map(),
    permissions: new Map(),
    cancelEpochs: new Map(),
    fibers: new Set(),
    fork,
    runnerModule,
    nextRunID: (sid) => `${sid}.run${bump(runCounters, sid)}`,
    nextRunnerID: (sid) => `${sid}/r${bump(runnerCounters, sid)}`,
    accept(input, job) {
      inst.acceptSeq += 1;
      port.trace({ type: "request.start", sessionID: input.sessionID, request: input.request, ...(job !== undefined && { job }) });
      // busyOnAccept: the session reads busy from this very step until the prompt's work is over.
      if (design.busyOnAccept) {
        inst.inflight.set(input.sessionID, (inst.inflight.get(input.sessionID) ?? 0) + 1);
        if (status.get(input.sessionID) !== "busy") status.publishNow(input.sessionID, "busy");
      }
      return inst.acceptSeq;
    },
    prompt: (input, seq) => tracked(inst, input.sessionID, input.request, prompt(inst, input, seq)),
    promptNow: (input, job, cancelled) =>
      acceptThen(inst, input, job, cancelled, (seq, restore) => tracked(inst, input.sessionID, input.request, restore(prompt(inst, input, seq)))),
    promptAsync: (input, job, cancelled) => acceptThen(inst, input, job, cancelled, (seq) => fork(input.request, detached(inst, input, inst.prompt(input, seq)))),
    wake: (sessionID, request, job, cancelled) =>
      Effect.asVoid(
        acceptThen(inst, { sessionID, parts: [], request }, job, cancelled, (seq, restore) =>
          tracked(inst, sessionID, request, restore(Effect.asVoid(ensureRunning(inst, sessionID, request, seq)))),
        ),
      ),
    cancel: (sessionID, request) => cancel(inst, sessionID, request),
    publishIdle: (sid) =>
      Effect.gen(function* () {
        if (!design.truthfulIdle) return status.publishNow(sid, "idle");
        const entry = inst.runners.get(sid);
        if (entry && (yield* entry.runner.running)) return;
        if (design.busyOnAccept && (inst.inflight.get(sid) ?? 0) > 0) return;
        status.publishNow(sid, "idle");
      }),
  };
  return inst;
}

/** Synchronous get-or-create of the session's runner. */
function getRunner(inst: Instance, sessionID: string): RunnerEntry {
  const existing = inst.runners.get(sessionID);
  if (existing) return existing;
  const { port, design } = inst;
  const id = inst.nextRunnerID(sessionID);
  const trace = port.trace.bind(port);
  const entry: RunnerEntry = {
    id,
    // A cancel that waits for the loop's exit must also finish a loop it stopped before its first step.
    runner: inst.runnerModule.make<StoredMessage | undefined>(inst.scope, { ...design, finishUnstarted: design.cancelAwaitsExit }, {
      work: (runID, startSeq) => runLoop(inst, sessionID, runID, startSeq).pipe(Effect.provideService(RacelabPort, port)),
      nextRunID: () => inst.nextRunID(sessionID),
      named: withLabel,
      onIdle: onIdle(inst, sessionID),
      deleteIfMine: () => {
        if (inst.runners.get(sessionID) === entry) deleteEntry(inst, sessionID, id);
      },
      publishIdle: inst.publishIdle(sessionID),
      onState: (state, runID) => trace({ type: "runner.state", sessionID, runner: id, state, ...(runID !== undefined && { runID }) }),
      onLoopStart: (runID) => trace({ type: "loop.start", sessionID, runID }),
      onLoopEnd: (runID, outcome, error) => {
        if (error !== undefined) trace({ type: "session.error", sessionID, error });
        trace({ type: "loop.end", sessionID, runID, outcome });
      },
      onWaitStart: (waiter, runID) => trace({ type: "wait.start", sessionID, waiter, runID }),
      onWaitEnd: (waiter) => trace({ type: "wait.end", waiter }),
    }),
  };
  inst.runners.set(sessionID, entry);
  port.trace({ type: "runners.set", sessionID, runner: id });
  return entry;
}

/** Get-or-create, then start or join; a runner retired in between sends the caller back to the map. */
const ensureRunning = (inst: Instance, sessionID: string, request: string, seq: number): Effect.Effect<StoredMessage | undefined> =>
  Effect.gen(function* () {
    for (;;) {
      const result = yield* getRunner(inst, sessionID).runner.ensureRunning(request, seq);
      if (result !== Runner.Retired) return result;
    }
  });

/** Upstream `onIdle`: delete the map entry by key (whoever holds it), then publish idle. */
const onIdle = (inst: Instance, sessionID: string) =>
  Effect.gen(function* () {
    const holder = inst.runners.get(sessionID);
    if (holder) deleteEntry(inst, sessionID, holder.id);
    yield* inst.publishIdle(sessionID);
  });

function deleteEntry(inst: Instance, sessionID: string, holderID: string): void {
  inst.runners.delete(sessionID);
  inst.port.trace({ type: "runners.delete", sessionID, runner: holderID });
}

/**
 * Accepts a prompt the server makes itself and starts its work in one uninterruptible step
 * (`restore` makes the work itself interruptible again), as the plain model does in one
 * synchronous call: no interrupt can fall between the acceptance and the `request.end` it owes.
 * `cancelled` is asked at the moment of acceptance, so that a cancel never slips between a
 * job's last look and its prompt: when it says so, nothing is accepted (undefined).
 */
const acceptThen = <A>(
  inst: Instance,
  input: PromptInput,
  job: string | undefined,
  cancelled: (() => boolean) | undefined,
  then: (seq: number, restore: <X, E, R>(effect: Effect.Effect<X, E, R>) => Effect.Effect<X, E, R>) => Effect.Effect<A>,
): Effect.Effect<A | undefined> =>
  Effect.uninterruptibleMask((restore) => Effect.suspend(() => (cancelled?.() ? Effect.succeed(undefined) : then(inst.accept(input, job), restore))));

/** A prompt's work, reported over with `request.end`; with busyOnAccept, idle once nothing is in flight. */
const tracked = <A>(inst: Instance, sessionID: string, request: string, work: Effect.Effect<A>): Effect.Effect<A> =>
  work.pipe(
    Effect.ensuring(
      Effect.gen(function* () {
        inst.port.trace({ type: "request.end", request });
        if (!inst.design.busyOnAccept) return;
        const left = (inst.inflight.get(sessionID) ?? 1) - 1;
        if (left > 0) inst.inflight.set(sessionID, left);
        else inst.inflight.delete(sessionID);
        // Decided and published in one step, like the runner's own transition.
        const entry = inst.runners.get(sessionID);
        if (left === 0 && !(entry && (yield* entry.runner.running))) inst.status.publishNow(sessionID, "idle");
      }),
    ),
  );

/** `prompt_async`'s detached work: errors are only published, as the server does. */
const detached = (inst: Instance, input: PromptInput, work: Effect.Effect<PromptResult>): Effect.Effect<void> =>
  work.pipe(
    Effect.asVoid,
    Effect.catchCause((cause) => Effect.sync(() => inst.port.trace({ type: "session.error", sessionID: input.sessionID, error: String(cause) }))),
  );

/** Writes the user message (info, then one write per part), touches the session, runs the loop. */
const prompt = (inst: Instance, input: PromptInput, seq: number): Effect.Effect<PromptResult> =>
  Effect.gen(function* () {
    const { sessionID, request, parts } = input;
    const { store, design } = inst;
    const user: StoredMessage = yield* Effect.sync(() =>
      store.insert({
        id: input.messageID ?? store.newID(),
        sessionID,
        role: "user",
        parts: [],
        request,
        complete: parts.length === 0,
        acceptSeq: seq,
        ...(input.noReply !== undefined && { noReply: input.noReply }),
      }),
    );
    for (let i = 0; i < parts.length; i++) {
      yield* Effect.sync(() => store.addPart(user, parts[i]!, i === parts.length - 1));
    }
    if (input.noReply) return { message: toInfo(user) };
    if (design.cancelWatermark && seq <= (inst.cancelMarks.get(sessionID) ?? 0)) {
      store.markCancelled(user);
      return { message: toInfo(user) };
    }
    const last = yield* ensureRunning(inst, sessionID, request, seq);
    const reply = design.answerByParent ? (answerOf(inst, user) ?? last) : last;
    return reply ? { message: toInfo(reply) } : {};
  });

function answerOf(inst: Instance, user: StoredMessage): StoredMessage | undefined {
  return answerByParent(inst.store.list(user.sessionID), user);
}

/** What an accepted call carries to its handler: a prompt's sequence number, a cancel's or a dispose's ticket. */
type Accepted = number | CancelTicket | DisposeTicket;

/** What a dispose found when it began: the runners it cancels. */
interface DisposeTicket {
  readonly runners: readonly (readonly [string, RunnerEntry])[];
}

/** What a cancel decided when it arrived: its epoch, and the children and jobs it covers. */
interface CancelTicket {
  /** The acceptance order when the cancel arrived (its watermark). */
  readonly mark: number;
  readonly epoch: number;
  readonly children: readonly string[];
  readonly snapshot: readonly Job[];
}

/**
 * `POST /session/:id/abort` as it arrives, in the caller's step: the cancel watermark (prompts
 * accepted so far are cancelled), the cancel epoch, and the children and jobs it covers.
 */
function beginCancel(inst: Instance, sessionID: string, request: string): CancelTicket {
  const { design, port } = inst;
  port.trace({ type: "cancel.start", sessionID, request });
  if (design.cancelWatermark) inst.cancelMarks.set(sessionID, inst.acceptSeq);
  const epoch = (inst.cancelEpochs.get(sessionID) ?? 0) + 1;
  inst.cancelEpochs.set(sessionID, epoch);
  return { mark: inst.acceptSeq, epoch, children: design.cancelTree ? childrenOf(inst, sessionID) : [], snapshot: design.cancelTree ? [] : jobsOf(inst, sessionID) };
}

/** A cancel the server makes itself (a tool's abort, the tree walk): arrives and runs in the calling fiber. */
const cancel = (inst: Instance, sessionID: string, request: string): Effect.Effect<void> =>
  Effect.suspend(() => cancelBody(inst, sessionID, request, beginCancel(inst, sessionID, request)));

/**
 * The rest of `POST /session/:id/abort`. Upstream walks one snapshot of the session's
 * background jobs and interrupts their fibers (the children run on), then cancels the runner.
 * cancelTree: cancel the runner first, then every job of the live list, each with its child
 * session.
 */
const cancelBody = (inst: Instance, sessionID: string, request: string, ticket: CancelTicket): Effect.Effect<void> =>
  Effect.gen(function* () {
    const { design, port } = inst;
    const { epoch, children, snapshot } = ticket;
    for (const job of snapshot) yield* interruptJob(job);
    const entry = inst.runners.get(sessionID);
    // The runner decides under its lock whether a run is on; a transition in progress is waited for.
    const wasRunning = entry ? yield* entry.runner.cancel(request, ticket.mark) : false;
    if (!wasRunning) yield* inst.publishIdle(sessionID);
    if (design.cancelTree) {
      // Jobs started before this cancel began; later ones belong to runs it does not cover.
      const stopped = new Set<string>();
      for (let job = covered(inst, sessionID, epoch); job; job = covered(inst, sessionID, epoch)) {
        yield* interruptJob(job);
        endJob(inst, job, "interrupted");
        stopped.add(job.sessionID);
        yield* cancel(inst, job.sessionID, `${request}.${job.sessionID}`);
      }
      // A child whose job is over, or a sync child, may still have work below it.
      for (const child of children) if (!stopped.has(child)) yield* cancel(inst, child, `${request}.${child}`);
    }
    port.trace({ type: "cancel.end", sessionID, request });
  });

/** Interrupts a job's fiber without waiting for it (it only awaits its child). */
const interruptJob = (job: Job) => Effect.sync(() => job.fiber?.interruptUnsafe());

const covered = (inst: Instance, sessionID: string, epoch: number) => jobsOf(inst, sessionID).find((j) => j.epoch < epoch);
const jobsOf = (inst: Instance, sessionID: string) => [...inst.jobs.values()].filter((j) => j.parentID === sessionID);
const childrenOf = (inst: Instance, sessionID: string) => [...inst.parents].filter(([, parent]) => parent === sessionID).map(([child]) => child);

/**
 * docs/design.md §6: every disposer at once, in no order: cancel every runner (each its own
 * fiber), publish `instance.disposed` and close the bus, interrupt forked fibers.
 */
const dispose = (inst: Instance, request: string, ticket: DisposeTicket): Effect.Effect<void> =>
  Effect.gen(function* () {
    const work: Fiber.Fiber<void, unknown>[] = [];
    // The runners the map held when the dispose began; whatever run each has on is stopped
    // for good (no mark: nothing the dispose covers is restarted).
    for (const [sid, entry] of ticket.runners) {
      work.push(yield* inst.fork(`${request}.${sid}`, Effect.asVoid(entry.runner.cancel(`${request}.${sid}`, Number.POSITIVE_INFINITY))));
    }
    work.push(
      yield* inst.fork(
        `${request}.bus`,
        Effect.sync(() => {
          inst.status.publish({ type: "instance.disposed" });
          inst.status.close();
        }),
      ),
      yield* inst.fork(
        `${request}.fibers`,
        Effect.sync(() => {
          for (const fiber of [...inst.fibers]) fiber.interruptUnsafe();
        }),
      ),
    );
    for (const fiber of work) yield* Fiber.await(fiber);
  });
