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

/** One tool call the LLM asks for. */
export interface ToolCall {
  readonly tool: string;
  readonly input?: string;
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
  | { readonly type: "status"; readonly sessionID: string; readonly status: SessionStatus }
  | { readonly type: "idle"; readonly sessionID: string }
  | { readonly type: "session.error"; readonly sessionID: string; readonly error: string }
  | {
      readonly type: "wait.start";
      readonly sessionID: string;
      readonly waiter: string;
      readonly runID: string;
    }
  | { readonly type: "wait.end"; readonly waiter: string }
  | { readonly type: "cancel.start"; readonly sessionID: string; readonly request: string }
  | { readonly type: "cancel.end"; readonly sessionID: string; readonly request: string };

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
  /** One LLM step. The call is itself a scheduling point. */
  llm(request: LlmRequest, options?: PointOptions): Promise<LlmReply>;
  /** Reports an event; synchronous, never awaited. */
  trace(event: RunnerEvent): void;
  /**
   * Optional: reports that the current step reads (`write` false) or writes shared state
   * under `key`. Keys are paths: `store:s1` covers `store:s1/msg_3`. Partial-order
   * reduction treats two steps as independent only when their keys do not conflict; a
   * runner that never calls `touch` gets no reduction (every step is dependent), never a
   * wrong one. Observations an invariant makes count as reads.
   */
  touch?(key: string, write: boolean): void;
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

/** The client-facing API of a session runner. */
export interface SessionRunner {
  /** `POST /session/:id/message`: answers after the run it started or joined is done. */
  prompt(input: PromptInput): Promise<PromptResult>;
  /** `POST /session/:id/prompt_async`: accepted at once (204); the work goes on detached. */
  promptAsync(input: PromptInput): void;
  /** `POST /session/:id/abort`. */
  cancel(sessionID: string, request: string): Promise<void>;
}

/** Builds a runner over a port. */
export type RunnerFactory = (port: RunnerPort) => SessionRunner;

/** A named runner variant, as registered in the runner map. */
export interface RunnerVariant {
  readonly name: string;
  readonly description: string;
  readonly create: RunnerFactory;
}

/** Thrown into a runner's await when the point it waits on is interrupted. */
export class Interrupted extends Error {
  constructor(readonly label: string) {
    super(`interrupted while waiting at '${label}'`);
    this.name = "Interrupted";
  }
}
