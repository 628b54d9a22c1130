/**
 * The runner port: the only surface a session runner sees of the world around it, and the
 * only surface racelab sees of a runner. Keeping it this small is what lets the same runner
 * run under racelab's virtual scheduler, under fast-check's `fc.scheduler()`, or bare.
 *
 * Direction runner -> world: {@link RunnerPort} (make a scheduling point, read the clock,
 * call the LLM, report what happened). Direction world -> runner: {@link SessionRunner}
 * (the API a client uses: prompt, prompt_async, cancel).
 */

/** Options of one scheduling point. */
export interface PointOptions {
  /**
   * Interrupts the wait: when the signal aborts while the point is still pending, the point
   * leaves the ready set and its promise rejects with {@link Interrupted}. This models an
   * Effect fiber interrupted while suspended on an async operation.
   */
  readonly signal?: AbortSignal;
}

/** What the runner sends to the LLM for one step. */
export interface LlmRequest {
  readonly sessionID: string;
  /** The run making the call; names the scheduling point of the call. */
  readonly runID: string;
  /** The assistant message this step streams into. */
  readonly assistantID: string;
  /** The user messages of the snapshot the step was built from, with their parts as read. */
  readonly messages: readonly { readonly id: string; readonly parts: readonly string[] }[];
}

/** A child session a `task` tool call creates and prompts (docs/design.md §5). */
export interface ChildTask {
  readonly session: string;
  readonly parts: readonly string[];
  /**
   * Absent: the sync task tool (the child's run is awaited inside the tool call). `plugin`:
   * started with prompt_async, the parent woken with prompt_async when the child goes idle.
   * `job`: upstream's background job (result injected, then `resumeWhenIdle`).
   */
  readonly background?: "plugin" | "job";
}

/** One tool call the LLM asks for. */
export interface ToolCall {
  readonly tool: string;
  readonly input?: string;
  /** Ask permission before running; whoever owns the session answers (allow or reject). */
  readonly ask?: boolean;
  /** A `task` call: the child session it runs. */
  readonly child?: ChildTask;
}

/** The LLM's answer to one step. */
export type LlmReply =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "tool-calls"; readonly calls: readonly ToolCall[] }
  | { readonly kind: "error"; readonly message: string };

/** Status of a session as published on the bus. */
export type SessionStatus = "busy" | "idle" | "retry";

/** A message as the runner reports it (a full copy on every write). */
export interface MessageInfo {
  readonly id: string;
  readonly sessionID: string;
  readonly role: "user" | "assistant";
  /** assistant -> the user message it answers. */
  readonly parentID?: string;
  /** Unset while streaming; `stop`, `tool-calls`, `error`, `aborted`. */
  readonly finish?: string;
  /** Number of parts written so far. */
  readonly parts: number;
  /** user: the client request that wrote it (racelab's correlation tag). */
  readonly request?: string;
  readonly noReply?: boolean;
  /** assistant: the run that wrote it. */
  readonly runID?: string;
}

/**
 * What a runner reports about itself. Invariants are checked over these events only, so a
 * runner (racelab's model or a user's own) is checkable exactly when it reports them.
 */
export type RunnerEvent =
  | { readonly type: "runners.set"; readonly sessionID: string; readonly runner: string }
  | { readonly type: "runners.delete"; readonly sessionID: string; readonly runner: string }
  | {
      readonly type: "runner.state";
      readonly sessionID: string;
      readonly runner: string;
      readonly state: "idle" | "running";
      readonly runID?: string;
    }
  | { readonly type: "loop.start"; readonly sessionID: string; readonly runID: string }
  | {
      readonly type: "loop.end";
      readonly sessionID: string;
      readonly runID: string;
      readonly outcome: "done" | "interrupted" | "error";
    }
  | { readonly type: "message"; readonly message: MessageInfo }
  /**
   * A tool part's state was written: `running` when the call starts, then `completed` or
   * `error`. `by` is the actor that wrote it (the run, `<run>.tool<n>` completing late after an
   * interrupt, or `<run> halt` erroring it in the cleanup).
   */
  | {
      readonly type: "tool.part";
      readonly sessionID: string;
      readonly messageID: string;
      readonly call: number;
      readonly tool: string;
      readonly status: "running" | "completed" | "error";
      readonly by: string;
    }
  | { readonly type: "session.error"; readonly sessionID: string; readonly error: string }
  | {
      readonly type: "wait.start";
      readonly sessionID: string;
      readonly waiter: string;
      readonly runID: string;
    }
  | { readonly type: "wait.end"; readonly waiter: string }
  | { readonly type: "cancel.start"; readonly sessionID: string; readonly request: string }
  | { readonly type: "cancel.end"; readonly sessionID: string; readonly request: string }
  /** A prompt entered the server (a client's, a task tool's, a job's injection or wake-up). */
  | { readonly type: "request.start"; readonly sessionID: string; readonly request: string; readonly job?: string }
  /** That prompt's work is over: returned, failed, or stored without a reply. */
  | { readonly type: "request.end"; readonly request: string }
  | BusEvent;

/**
 * Events the server publishes on its bus (and streams over SSE at `GET /event`) besides
 * `status` and `idle`: what a `run` observer can see.
 */
export type BusEvent =
  | { readonly type: "status"; readonly sessionID: string; readonly status: SessionStatus }
  | { readonly type: "idle"; readonly sessionID: string }
  | { readonly type: "session.created"; readonly sessionID: string; readonly parentID: string }
  | { readonly type: "permission.asked"; readonly sessionID: string; readonly permissionID: string; readonly tool: string }
  | { readonly type: "permission.replied"; readonly sessionID: string; readonly permissionID: string; readonly reply: PermissionReply }
  | {
      readonly type: "job.start";
      readonly job: string;
      readonly parentID: string;
      readonly sessionID: string;
      readonly style: "plugin" | "job";
    }
  | { readonly type: "job.end"; readonly job: string; readonly parentID: string; readonly outcome: "woke" | "interrupted" }
  | { readonly type: "instance.disposed" };

export type PermissionReply = "allow" | "reject";

/** A waiting {@link RunnerPort.task}. */
export interface TaskHandle {
  /** Withdraws the task if it has not been released yet; does nothing afterwards. */
  cancel(): void;
}

/** What a timer call returns; pass it back to clear the timer. */
export interface TimerHandle {
  readonly label: string;
}

export interface TimerOptions {
  /** Like Node's `unref()`: the timer alone does not keep the program alive. */
  readonly unref?: boolean;
}

/**
 * Virtual time. Timers are owned by a fake clock (@sinonjs/fake-timers) and fire only as
 * scheduling choices: a timer that is due next is a ready point like any other, labelled
 * `label`, and releasing it advances the clock to its due time. Time never advances by
 * itself and the wall clock is never read.
 */
export interface Timers {
  setTimeout(label: string, ms: number, callback: () => void, options?: TimerOptions): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(label: string, ms: number, callback: () => void, options?: TimerOptions): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Virtual time in milliseconds. */
  now(): number;
}

/** The runner's window on the world. */
export interface RunnerPort {
  /**
   * A labelled scheduling point: resolves when the scheduler releases it. Every await of
   * the runner that the real system has must be one of these (or an LLM call).
   * Labels must be deterministic (no addresses, no times); `"<actor> <what>"` by convention.
   */
  point(label: string, options?: PointOptions): Promise<void>;
  /** Virtual time in milliseconds. Never the wall clock. */
  now(): number;
  /** Virtual timers (`setTimeout`, `setInterval`); see {@link Timers}. */
  readonly timers: Timers;
  /** One LLM step. The call is itself a scheduling point. */
  llm(request: LlmRequest, options?: PointOptions): Promise<LlmReply>;
  /** Reports an event; synchronous, never awaited. */
  trace(event: RunnerEvent): void;
  /**
   * Optional, for runtimes that own their own continuations (racelab/effect): a scheduling
   * point whose release runs `run` synchronously, inside the step, instead of resolving a
   * promise. `cancel` withdraws it while it is still waiting (it leaves the ready set, as an
   * interrupted point does). Where a scheduler does not offer it, use {@link point} and run
   * the continuation when it resolves.
   */
  task?(label: string, run: () => void): TaskHandle;
  /**
   * How finely a runtime that owns its continuations (racelab/effect) makes points: `step`
   * (the default), every effect step of every fiber; `suspend`, only where a fiber starts,
   * wakes, sleeps or yields. Runners written against `point` ignore it.
   */
  readonly granularity?: "step" | "suspend";
  /**
   * Optional: reports that the current step reads (`write` false) or writes shared state
   * under `key`. Keys are paths: `store:s1` covers `store:s1/msg_3`. Partial-order
   * reduction treats two steps as independent only when their keys do not conflict. A step
   * that reports nothing counts as touching everything, so a runner that never calls `touch`
   * gets no reduction, never a wrong one, unless its variant declares `completeFootprints`.
   * Observations an invariant makes count as reads.
   */
  touch?(key: string, write: boolean): void;
  /**
   * Present when the world runs several server instances over one store (a scenario with
   * `instances`): which instance this runner is, and the storage they share. Only variants
   * that declare `instances` are given more than one.
   */
  readonly instance?: InstancePort;
}

/** One of several server instances over one store (two opencode servers on one database). */
export interface InstancePort {
  /** "1", "2", ...: the runner qualifies the names it gives its runs and runners with it (`s1@2.run1`) unless it is "1". */
  readonly id: string;
  /**
   * The state every instance of the world shares, one object per key: the first instance
   * that asks for `key` makes it with `make`, the others get the same object. What a runner
   * keeps here is its database (messages, leases); what it keeps elsewhere is per instance.
   */
  shared<T>(key: string, make: () => T): T;
}

/** One prompt as a client sends it. */
export interface PromptInput {
  readonly sessionID: string;
  readonly parts: readonly string[];
  readonly noReply?: boolean;
  /** A client-supplied message id (may sort below ids the server writes). */
  readonly messageID?: string;
  /** racelab's correlation tag for this client request; names its scheduling points. */
  readonly request: string;
}

/** What a synchronous prompt returns: the message the server answers with. */
export interface PromptResult {
  readonly message?: MessageInfo;
}

/** A subscription to the bus: `GET /event`. */
export interface BusListener {
  /** Called synchronously at each publish, in publish order. */
  event(event: BusEvent): void;
  /** The stream ended (the instance was disposed). */
  close(): void;
}

/** The client-facing API of a session runner. */
export interface SessionRunner {
  /** `POST /session/:id/message`: answers after the run it started or joined is done. */
  prompt(input: PromptInput): Promise<PromptResult>;
  /** `POST /session/:id/prompt_async`: accepted at once (204); the work goes on detached. */
  promptAsync(input: PromptInput): void;
  /** `POST /session/:id/abort`. */
  cancel(sessionID: string, request: string): Promise<void>;
  /** `GET /event`: the bus as a stream. Needed by scenarios with a `run` command. */
  subscribe?(listener: BusListener): void;
  /** `GET /session/status`: the status map (idle sessions are absent). */
  statuses?(): Record<string, SessionStatus>;
  /** `POST /session/:id/permissions/:permissionID`. */
  replyPermission?(sessionID: string, permissionID: string, reply: PermissionReply): void;
  /**
   * Instance dispose (docs/design.md §6): cancel every runner, publish `instance.disposed` and close
   * the bus, interrupt forked fibers, concurrently. `request` names its scheduling points.
   */
  dispose?(request: string): Promise<void>;
}

/** Builds a runner over a port. */
export type RunnerFactory = (port: RunnerPort) => SessionRunner;

/** A named runner variant, as registered in the runner map. */
export interface RunnerVariant {
  readonly name: string;
  readonly description: string;
  readonly create: RunnerFactory;
  /**
   * How many scheduling points this runner's runs take for one of a runner written against
   * `point` (default 1). A run's step limit is `--max-steps` times this: racelab/effect
   * runners, where every effect step is a point, have 10.
   */
  readonly stepScale?: number;
  /**
   * Every step of this runner reports, through `touch`, all the shared state it reads and
   * writes, so a step that reports nothing touched nothing shared and commutes with every
   * other (default false: such a step counts as touching everything, see `RunnerPort.touch`).
   */
  readonly completeFootprints?: boolean;
  /**
   * The runner keeps its persistent state in `port.instance.shared`, so a world may run
   * several instances of it over one store (a scenario with `instances`). Default false:
   * such a scenario is refused for this runner.
   */
  readonly instances?: boolean;
}

/** Thrown into a runner's await when the point it waits on is interrupted. */
export class Interrupted extends Error {
  constructor(readonly label: string) {
    super(`interrupted while waiting at '${label}'`);
    this.name = "Interrupted";
  }
}

/**
 * Whether `error` is an {@link Interrupted}, by name rather than by class: a user's runner
 * may carry its own copy of this file (a copied reference runner does), and its class is not
 * racelab's, yet racelab's scheduler throws racelab's.
 */
export function isInterrupted(error: unknown): error is Interrupted {
  return error instanceof Error && error.name === "Interrupted";
}
