import type { Deferred, Effect, Fiber, Scope } from "effect";
import type { PromptInput, PromptResult, RunnerPort } from "../../boundaries/port.ts";
import type { RunnerDesign } from "../runner/design.ts";
import type { MessageStore, StoredMessage } from "../runner/MessageStore.ts";
import type { StatusBus } from "../runner/StatusBus.ts";
import type * as RunnerModuleNS from "./Runner.ts";
import type { Runner } from "./Runner.ts";

/** The runner module a server is built with: `Runner.ts`, or a user's copy of it. */
export interface RunnerModule {
  readonly make: typeof RunnerModuleNS.make;
}

/** A session's runner as the instance keeps it in its map. */
export interface RunnerEntry {
  /** `s1/r2`: the second runner object of s1 (what `runners.set` reports). */
  readonly id: string;
  readonly runner: Runner<StoredMessage | undefined>;
}

/** A background task (docs/design.md §5): a child session whose result goes back to its parent. */
export interface Job {
  /** `<child>.job`; also the job fiber's name. */
  readonly id: string;
  readonly parentID: string;
  readonly sessionID: string;
  readonly style: "plugin" | "job";
  /** The parent's cancel epoch when the job started. */
  readonly epoch: number;
  fiber: Fiber.Fiber<void, unknown> | undefined;
}

/** A permission ask waiting for its answer. */
export interface Ask {
  readonly sessionID: string;
  readonly answer: Deferred.Deferred<boolean>;
}

/**
 * One server instance of the Effect reference runner: what its services share. The store and
 * the bus are the plain model's (they report the same events); the concurrency (runners,
 * runs, jobs, waits) is Effect's.
 */
export interface Instance {
  readonly port: RunnerPort;
  readonly design: RunnerDesign;
  readonly store: MessageStore;
  readonly status: StatusBus;
  /** Runs, jobs and watchers are forked into it. */
  readonly scope: Scope.Scope;
  /** The runners map: `Map<sessionID, Runner>`. */
  readonly runners: Map<string, RunnerEntry>;
  /** Sequence number of the last prompt accepted (any session). */
  acceptSeq: number;
  readonly cancelMarks: Map<string, number>;
  /** Prompts accepted and not yet over, per session (busyOnAccept). */
  readonly inflight: Map<string, number>;
  readonly jobs: Map<string, Job>;
  /** child session -> parent session. */
  readonly parents: Map<string, string>;
  readonly permissions: Map<string, Ask>;
  readonly cancelEpochs: Map<string, number>;
  /** Job fibers and watchers besides runs: dispose interrupts them. */
  readonly fibers: Set<Fiber.Fiber<unknown, unknown>>;
  /** The server accepting a prompt, in the caller's step: its sequence number. */
  accept(input: PromptInput, job?: string): number;
  /** A prompt after acceptance: write the message, run or join the loop; over with `request.end`. */
  prompt(input: PromptInput, seq: number): Effect.Effect<PromptResult>;
  /**
   * A prompt the server makes itself (a job's injection): accepted and started as one
   * uninterruptible step, so that an interrupt never leaves an accepted prompt without its
   * `request.end` (a session reading busy for ever).
   */
  promptNow(input: PromptInput, job: string, cancelled?: () => boolean): Effect.Effect<PromptResult | undefined>;
  /**
   * Accept and fork the prompt, as one step (a tool's or a job's prompt_async); the fiber.
   * `cancelled`, asked in that same step: the prompt is not made (undefined) when it says so.
   */
  promptAsync(input: PromptInput, job?: string, cancelled?: () => boolean): Effect.Effect<Fiber.Fiber<void, unknown> | undefined>;
  /** `loop(sid)` without a new message, as upstream's `resumeWhenIdle` calls it. */
  wake(sessionID: string, request: string, job: string, cancelled?: () => boolean): Effect.Effect<void>;
  cancel(sessionID: string, request: string): Effect.Effect<void>;
  /** Publishes idle; with `truthfulIdle`, decided at publish time (skipped while a run or a prompt is active). */
  publishIdle(sessionID: string): Effect.Effect<void>;
  /** Forks `effect` into the instance's scope as a fiber named `name`. */
  fork(name: string, effect: Effect.Effect<void, unknown>): Effect.Effect<Fiber.Fiber<void, unknown>>;
  /** The per-session Runner implementation. */
  readonly runnerModule: RunnerModule;
  /** Names the next run of a session (`s1.run3`). */
  nextRunID(sessionID: string): string;
  /** Names the next runner object of a session (`s1/r2`). */
  nextRunnerID(sessionID: string): string;
}
