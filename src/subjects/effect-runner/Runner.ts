import { Cause, Deferred, Effect, Exit, Fiber, Scope, SynchronizedRef } from "effect";

/**
 * The per-session runner of docs/design.md §2, written in Effect as opencode writes its own:
 * the state lives in a `SynchronizedRef` (its lock), every transition is one `modify` whose
 * function runs under the lock and whose returned effect runs *outside* it, the run is the
 * loop forked into the instance's scope with `onExit(finishRun)`, and callers wait on the
 * run's `done` Deferred. This module imports only `effect`: it is the one a user copies and
 * changes (README: "Walk-through: an Effect runner of your own").
 */

/** How a run's loop ended. */
export type Outcome = "done" | "interrupted" | "error";

/** One run: the forked loop fiber and its barriers. */
export interface Run<A> {
  readonly id: string;
  /** What `ensureRunning` callers await; shared by the runs a pending restart chains together. */
  readonly done: Deferred.Deferred<A>;
  /** Completed once this run's fiber has exited and its finishRun is over. */
  readonly exited: Deferred.Deferred<void>;
  fiber: Fiber.Fiber<void, unknown> | undefined;
  /** What the loop returned (set when it returns). */
  result: A | undefined;
  /** finishRun has begun (it runs once per run). */
  finished: boolean;
  /** The acceptance order of the request that started it (a restart: of the newest joiner). */
  readonly startSeq: number;
}

/**
 * `Idle | Running(run) | Retired`. `pending`: a caller joined a run that may have read its
 * snapshot already. `latest`: the newest request (by acceptance order) that started or joined
 * the run. `Retired`: the runner left the map (guarded delete) and never runs again.
 */
export type State<A> =
  | { readonly _tag: "Idle" }
  | { readonly _tag: "Running"; readonly run: Run<A>; readonly pending: boolean; readonly latest: number }
  | { readonly _tag: "Retired" };

/**
 * What `ensureRunning` returns on a retired runner: the caller got it from the map before it
 * was deleted, and must take the map's current runner instead.
 */
export const Retired: unique symbol = Symbol.for("racelab/effect-runner/Runner.Retired");
export type Retired = typeof Retired;

/** The design decisions of the runner itself (docs/design.md §8 for what each fixes). */
export interface RunnerDesign {
  /** Joining a Running runner sets `pending`; finishRun restarts instead of going Idle. */
  readonly pendingRestart: boolean;
  /**
   * finishRun deletes the map entry only if it still holds this runner, under the lock, and
   * retires the runner: get-or-create and `ensureRunning` are separate steps in Effect, so a
   * caller may hold a runner the map no longer has; a retired runner sends it back.
   */
  readonly guardedDelete: boolean;
  /** Cancel leaves the runner Running until the interrupted loop has exited. */
  readonly cancelAwaitsExit: boolean;
  /**
   * A fiber interrupted before its first step never runs its effect, so its `onExit` never
   * runs either: a run cancelled between its fork and its start would never finish, and
   * whoever waits on `done` waits forever. With this flag the canceller finishes such a run.
   */
  readonly finishUnstarted: boolean;
}

/** What the runner reports and calls; everything session-wide lives outside it. */
export interface RunnerHooks<A> {
  /** The loop of one run; `startSeq`: the acceptance order of the request that started it. */
  readonly work: (runID: string, startSeq: number) => Effect.Effect<A, unknown>;
  readonly nextRunID: () => string;
  /** Names the fibers `effect` forks (the run's loop is named after the run: `s1.run1`). */
  readonly named: (name: string) => <X, E, R>(effect: Effect.Effect<X, E, R>) => Effect.Effect<X, E, R>;
  /** Upstream `onIdle`, after finishRun went Idle: delete the map entry by key, publish idle. */
  readonly onIdle: Effect.Effect<void>;
  /** guardedDelete: under the lock, delete the map entry if it holds this runner. */
  readonly deleteIfMine: () => void;
  /** guardedDelete: publish idle, decided at publish time. */
  readonly publishIdle: Effect.Effect<void>;
  readonly onState: (state: "idle" | "running", runID?: string) => void;
  readonly onLoopStart: (runID: string) => void;
  readonly onLoopEnd: (runID: string, outcome: Outcome, error?: string) => void;
  readonly onWaitStart: (waiter: string, runID: string) => void;
  readonly onWaitEnd: (waiter: string) => void;
}

export interface Runner<A> {
  /** Whether a run is on, read under the lock (a transition in progress is waited for). */
  readonly running: Effect.Effect<boolean>;
  /**
   * Starts the loop if Idle, else joins the running one; the run's result ({@link Retired}:
   * ask the map again). `seq`: the caller's place in the server's acceptance order.
   */
  readonly ensureRunning: (waiter: string, seq: number) => Effect.Effect<A | undefined | Retired>;
  /**
   * Cancels the run, if one is on; whether one was. `mark`: the acceptance order when the
   * cancel arrived: callers accepted later are not the cancel's to stop.
   */
  readonly cancel: (request: string, mark: number) => Effect.Effect<boolean>;
}

export const make = <A>(scope: Scope.Scope, design: RunnerDesign, hooks: RunnerHooks<A>): Runner<A | undefined> => {
  const ref = SynchronizedRef.makeUnsafe<State<A | undefined>>({ _tag: "Idle" });
  const running = SynchronizedRef.modify(ref, (st) => [st._tag === "Running", st] as const);

  const wait = (run: Run<A | undefined>, waiter: string) =>
    Effect.gen(function* () {
      hooks.onWaitStart(waiter, run.id);
      const value = yield* Deferred.await(run.done);
      hooks.onWaitEnd(waiter);
      return value;
    });

  /** Forks a run; called under the lock, so the state change and the fork are one step. */
  const start = (done: Deferred.Deferred<A | undefined>, startSeq: number) =>
    Effect.gen(function* () {
      const run: Run<A | undefined> = { id: hooks.nextRunID(), done, exited: Deferred.makeUnsafe<void>(), fiber: undefined, result: undefined, finished: false, startSeq };
      hooks.onState("running", run.id);
      hooks.onLoopStart(run.id);
      const loop = hooks.work(run.id, startSeq).pipe(
        Effect.map((value) => {
          run.result = value;
        }),
        Effect.onExit((exit) => finishRun(run, exit)),
      );
      run.fiber = yield* Effect.forkIn(loop, scope).pipe(hooks.named(run.id));
      return run;
    });

  const finishRun = (run: Run<A | undefined>, exit: Exit.Exit<void, unknown>): Effect.Effect<void> => {
    if (run.finished) return Effect.void;
    run.finished = true;
    const interrupted = Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause);
    const outcome: Outcome = Exit.isSuccess(exit) ? "done" : interrupted ? "interrupted" : "error";
    hooks.onLoopEnd(run.id, outcome, outcome === "error" && Exit.isFailure(exit) ? String(Cause.squash(exit.cause)) : undefined);
    const result = run.result;
    const complete = Effect.andThen(Deferred.succeed(run.exited, undefined), Deferred.succeed(run.done, result));
    return SynchronizedRef.modifyEffect(ref, (st) =>
      Effect.gen(function* () {
        const current = st._tag === "Running" && st.run === run;
        if (current && st.pending && design.pendingRestart) {
          const next = yield* start(run.done, st.latest);
          return [Effect.asVoid(Deferred.succeed(run.exited, undefined)), { _tag: "Running", run: next, pending: false, latest: st.latest }] as const;
        }
        if (!current) return [complete, st] as const;
        hooks.onState("idle");
        if (design.guardedDelete) {
          hooks.deleteIfMine();
          return [Effect.andThen(hooks.publishIdle, complete), { _tag: "Retired" }] as const;
        }
        // Upstream: onIdle runs outside the lock, after a gap in which anything may happen.
        return [Effect.andThen(hooks.onIdle, complete), { _tag: "Idle" }] as const;
      }),
    ).pipe(Effect.flatten, Effect.asVoid);
  };

  type Joined = readonly [Effect.Effect<A | undefined | Retired>, State<A | undefined>];
  const ensureRunning = (waiter: string, seq: number) =>
    SynchronizedRef.modifyEffect(ref, (st) =>
      Effect.gen(function* (): Generator<Effect.Effect<unknown>, Joined> {
        if (st._tag === "Retired") return [Effect.succeed(Retired), st];
        if (st._tag === "Running") {
          // Joining a run that may have read its snapshot already: finishRun must run the loop again.
          const pending = design.pendingRestart;
          return [wait(st.run, waiter), { ...st, pending: st.pending || pending, latest: Math.max(st.latest, seq) }];
        }
        const done = yield* Deferred.make<A | undefined>();
        const run = yield* start(done, seq);
        return [wait(run, waiter), { _tag: "Running", run, pending: false, latest: seq }];
      }),
    ).pipe(Effect.flatten);

  /** Interrupts the run's fiber and waits for it to end (finishing it if it never started). */
  const interrupt = (run: Run<A | undefined>) =>
    Effect.gen(function* () {
      if (run.fiber) yield* Fiber.interrupt(run.fiber);
      if (design.finishUnstarted && !run.finished) yield* finishRun(run, Exit.interrupt(undefined));
    });

  const cancel = (request: string, mark: number) =>
    SynchronizedRef.modify(ref, (st): readonly [Effect.Effect<boolean>, State<A | undefined>] => {
      if (st._tag !== "Running") return [Effect.succeed(false), st];
      const { run } = st;
      // A run started after the cancel arrived serves requests the cancel does not cover.
      if (design.cancelAwaitsExit && run.startSeq > mark) return [Effect.succeed(true), st];
      if (design.cancelAwaitsExit) {
        // Stay Running until the interrupted fiber is gone: no second loop can start meanwhile,
        // and a prompt accepted after the cancel sets `pending` instead.
        const stop = Effect.gen(function* () {
          hooks.onWaitStart(request, run.id);
          yield* interrupt(run);
          yield* Deferred.await(run.exited);
          hooks.onWaitEnd(request);
          return true;
        });
        // A caller accepted after the cancel arrived still wants this run: restart it after.
        return [stop, { ...st, pending: st.latest > mark }];
      }
      hooks.onState("idle");
      const stop = Effect.gen(function* () {
        yield* interrupt(run);
        yield* wait(run, request);
        // The state may have changed while we waited (a new run on this runner).
        if (SynchronizedRef.getUnsafe(ref)._tag === "Idle") yield* hooks.onIdle;
        return true;
      });
      return [stop, { _tag: "Idle" }];
    }).pipe(Effect.flatten);

  return { running, ensureRunning, cancel };
};
