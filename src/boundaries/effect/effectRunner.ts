import { Cause, Clock, Context, Effect, Exit, type Fiber } from "effect";
import type { BusListener, PermissionReply, PromptInput, PromptResult, RunnerPort, RunnerVariant, SessionRunner, SessionStatus } from "../port.ts";
import { ControlledScheduler, type Granularity } from "./ControlledScheduler.ts";
import { Label, RacelabPort } from "./RacelabPort.ts";
import { checkEffectVersion } from "./supportedVersion.ts";
import { virtualClock } from "./virtualClock.ts";

/**
 * The client API of a session server written in Effect: what `POST /session/:id/message`,
 * `prompt_async`, `abort` and the rest run. Each method returns the Effect that serves one
 * call; racelab runs it as a root fiber labelled with the call's request (`a1`) under its
 * controlled scheduler, so its first step is already a scheduling point.
 *
 * Some things happen at once, in the caller's own step, and must not suspend: `accept` (the
 * server taking a request in: before `prompt_async` answers 204, before an abort can be
 * overtaken by a later prompt; what it returns is handed to the call's handler), and the
 * port's synchronous calls `subscribe`, `statuses` and `replyPermission`.
 */
export interface EffectSessionHandlers<Accepted = unknown> {
  readonly accept?: (call: ArrivingCall) => Effect.Effect<Accepted, never, RacelabPort>;
  readonly prompt: (input: PromptInput, accepted: Accepted) => Effect.Effect<PromptResult, unknown, RacelabPort>;
  readonly promptAsync: (input: PromptInput, accepted: Accepted) => Effect.Effect<void, unknown, RacelabPort>;
  readonly cancel: (sessionID: string, request: string, accepted: Accepted) => Effect.Effect<void, unknown, RacelabPort>;
  readonly subscribe?: (listener: BusListener) => Effect.Effect<void, never, RacelabPort>;
  readonly statuses?: () => Effect.Effect<Record<string, SessionStatus>, never, RacelabPort>;
  readonly replyPermission?: (sessionID: string, permissionID: string, reply: PermissionReply) => Effect.Effect<void, never, RacelabPort>;
  readonly dispose?: (request: string, accepted: Accepted) => Effect.Effect<void, unknown, RacelabPort>;
}

/** A client call as it arrives at the server (see {@link EffectSessionHandlers.accept}). */
export type ArrivingCall =
  | { readonly action: "prompt" | "prompt_async"; readonly input: PromptInput }
  | { readonly action: "cancel"; readonly sessionID: string; readonly request: string }
  | { readonly action: "dispose"; readonly request: string };

/** What {@link effectRunner} turns into a runner. */
export interface EffectRunnerOptions {
  readonly name: string;
  readonly description: string;
  /**
   * Builds one server instance (its services, maps, scopes) and returns its handlers. It runs
   * once per schedule, at once and uncontrolled, before the first client acts; it must not
   * suspend. Fibers it forks are controlled like any other.
   */
  readonly make: Effect.Effect<EffectSessionHandlers<any>, never, RacelabPort>;
  /** Default granularity; a run's own (`--granularity`, schedule files) takes precedence. */
  readonly granularity?: Granularity;
  /**
   * Run on Effect's own default scheduler instead of racelab's (the points the port makes
   * still go to the port, time is still virtual). For measuring what control costs
   * (`racelab bench`); an exploration of such a runner sees one interleaving only.
   */
  readonly uncontrolled?: boolean;
}

/** A racelab/effect runner's step limit is this many times `--max-steps` (see `RunnerVariant.stepScale`). */
export const EFFECT_STEP_SCALE = 10;

/**
 * Turns an Effect program into racelab's runner port, so that racelab explores its fibers'
 * interleavings: each client call is a root fiber under racelab's {@link ControlledScheduler},
 * time is the run's virtual clock, and the program reports events through {@link RacelabPort}.
 * The program runs on the `effect` the project has installed (a peer dependency).
 */
export function effectRunner(options: EffectRunnerOptions): RunnerVariant {
  checkEffectVersion();
  return {
    name: options.name,
    description: options.description,
    create: (port) => createEffectServer(port, options),
    // Every effect step is a point: about ten for each await of a runner written against `point`.
    stepScale: options.granularity === "suspend" ? 1 : EFFECT_STEP_SCALE,
  };
}

function createEffectServer(port: RunnerPort, options: EffectRunnerOptions): SessionRunner {
  const scheduler = options.uncontrolled ? undefined : new ControlledScheduler(port, Label, port.granularity ?? options.granularity ?? "step");
  const base = Context.make(Clock.Clock, virtualClock(port.timers, scheduler)).pipe(Context.add(RacelabPort, port));
  const contextOf = (label: string) => Context.add(base, Label, label);
  const start = <A, E>(effect: Effect.Effect<A, E, RacelabPort>, label: string, grant: number): Fiber.Fiber<A, E> =>
    scheduler ? scheduler.fork(() => Effect.runForkWith(contextOf(label))(effect, { scheduler }), grant) : Effect.runForkWith(contextOf(label))(effect);

  /** A client call: a root fiber whose first step is a scheduling point; settles with the fiber. */
  const call = <A>(effect: Effect.Effect<A, unknown, RacelabPort>, label: string): Promise<A> =>
    new Promise<A>((resolve, reject) => {
      const fiber = start(effect, label, 0);
      fiber.addObserver((exit) => (Exit.isSuccess(exit) ? resolve(exit.value) : reject(errorOf(exit.cause, label))));
    });

  /** A synchronous call: runs at once on the caller's step. */
  const now = <A>(effect: Effect.Effect<A, unknown, RacelabPort>, label: string): A => {
    const exit = start(effect, label, Number.POSITIVE_INFINITY).pollUnsafe();
    if (exit === undefined) throw new Error(`${label}: the Effect suspended, but this call of the runner port is synchronous (it must complete at once)`);
    if (Exit.isFailure(exit)) throw errorOf(exit.cause, label);
    return exit.value;
  };

  const handlers = now(options.make, "setup");
  const accept = (arriving: ArrivingCall, request: string): unknown => (handlers.accept ? now(handlers.accept(arriving), `${request}.accept`) : undefined);
  const runner: SessionRunner = {
    prompt: (input) => {
      try {
        return call(handlers.prompt(input, accept({ action: "prompt", input }, input.request)), input.request);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    promptAsync: (input) => {
      const accepted = accept({ action: "prompt_async", input }, input.request);
      // 204 at once; a failure nothing handles is a finding (runner-error), not lost.
      call(handlers.promptAsync(input, accepted), input.request).catch((error: unknown) => {
        void Promise.reject(error);
      });
    },
    cancel: (sessionID, request) => {
      try {
        return call(handlers.cancel(sessionID, request, accept({ action: "cancel", sessionID, request }, request)), request);
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
  const { subscribe, statuses, replyPermission, dispose } = handlers;
  return {
    ...runner,
    ...(subscribe && { subscribe: (listener: BusListener) => now(subscribe(listener), "subscribe") }),
    ...(statuses && { statuses: () => now(statuses(), "statuses") }),
    ...(replyPermission && { replyPermission: (sid: string, permissionID: string, reply: PermissionReply) => now(replyPermission(sid, permissionID, reply), "reply") }),
    ...(dispose && {
      dispose: (request: string) => {
        try {
          return call(dispose(request, accept({ action: "dispose", request }, request)), request);
        } catch (error) {
          return Promise.reject(error);
        }
      },
    }),
  };
}

/** A failed fiber's cause as the error a client call rejects with. */
function errorOf(cause: Cause.Cause<unknown>, label: string): Error {
  const error = Cause.squash(cause);
  if (error instanceof Error) return error;
  return new Error(`${label} failed: ${typeof error === "string" ? error : Cause.pretty(cause)}`);
}
