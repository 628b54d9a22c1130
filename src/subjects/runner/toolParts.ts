import type { RunnerPort } from "../../boundaries/port.ts";
import type { RunnerDesign } from "./design.ts";
import type { MessageStore, StoredMessage } from "./MessageStore.ts";

/** A tool part's state (docs/design.md §3): written `running` when the call starts. */
export type ToolStatus = "running" | "completed" | "error";

/** How long the halt's cleanup waits for tool calls still executing before it errors them. */
export const CLEANUP_WAIT_MS = 250;

/** What a tool part needs of the runner around it (the plain runner's context, the Effect runner's instance). */
export interface ToolPartHost {
  readonly port: RunnerPort;
  readonly store: MessageStore;
  readonly design: RunnerDesign;
}

/**
 * One tool call of an assistant message and its part, shared by both reference runners. The
 * call's execution may outlive the step that started it: an interrupt ends the step at once,
 * while the tool (a sync child, a permission ask) goes on and, if it succeeds, completes its
 * own part late. Until the part is settled the call is tracked; the halt's cleanup errors what
 * is still tracked. The drivers (toolCalls.ts of each runner) put the scheduling points in.
 */
export class ToolPart {
  /** invariant: the part's status in the store, `tool:<tool>:<status>` at index `index`. */
  private status: ToolStatus = "running";
  /** invariant: true until the part was settled by the step, the tool itself or the cleanup. */
  private tracked = true;
  private readonly index: number;

  constructor(
    private readonly host: ToolPartHost,
    private readonly assistant: StoredMessage,
    /** 1-based, as the assistant's calls are numbered. */
    readonly call: number,
    readonly tool: string,
    readonly runID: string,
  ) {
    this.index = assistant.parts.length;
    host.store.addPart(assistant, this.partText());
    this.report(runID);
  }

  /** The name of the call's execution, for the points of its late completion. */
  get actor(): string {
    return `${this.runID}.tool${this.call}`;
  }

  /** Still tracked (not settled yet); a read of the call's tracking. */
  get open(): boolean {
    this.touch(false);
    return this.tracked;
  }

  /** The part's status as the store holds it; a read of the part. */
  readStatus(): ToolStatus {
    this.host.port.touch?.(`store:${this.assistant.sessionID}/${this.assistant.id}`, false);
    return this.status;
  }

  /** Writes the part's status (whatever it was: callers that compare-and-set read first, in the same step). */
  write(status: ToolStatus, by: string): void {
    this.status = status;
    this.host.store.setPart(this.assistant, this.index, this.partText());
    this.report(by);
  }

  /** Stops tracking the call; true if it was still tracked (the caller then signals its settle). */
  untrack(): boolean {
    this.touch(true);
    if (!this.tracked) return false;
    this.tracked = false;
    return true;
  }

  /** atomicToolSettle: in one step, writes `status` if the part still reads running, and untracks it. */
  settleIfRunning(status: "completed" | "error", by: string): boolean {
    if (this.open && this.readStatus() === "running") this.write(status, by);
    return this.untrack();
  }

  private partText(): string {
    return `tool:${this.tool}:${this.status}`;
  }

  private touch(write: boolean): void {
    this.host.port.touch?.(`toolcall:${this.assistant.id}/${this.call}`, write);
  }

  private report(by: string): void {
    this.host.port.trace({
      type: "tool.part",
      sessionID: this.assistant.sessionID,
      messageID: this.assistant.id,
      call: this.call,
      tool: this.tool,
      status: this.status,
      by,
    });
  }
}
