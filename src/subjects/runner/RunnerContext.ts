import type { PromptInput, PromptResult, RunnerPort } from "../../boundaries/port.ts";
import type { Job } from "./children.ts";
import type { RunnerDesign } from "./design.ts";
import type { MessageStore, StoredMessage } from "./MessageStore.ts";
import type { Runner, Run } from "./Runner.ts";
import type { StatusBus } from "./StatusBus.ts";
import type { Leases } from "./Leases.ts";

/** The per-instance state one session runner model shares between its parts. */
export interface RunnerContext {
  readonly port: RunnerPort;
  readonly design: RunnerDesign;
  readonly store: MessageStore;
  readonly status: StatusBus;
  /** The runners map: `Map<sessionID, Runner>`. */
  readonly runners: Map<string, Runner>;
  /** sessionLease with several instances: the leases of the shared store, and this instance's name as their holder. */
  readonly leases?: { readonly table: Leases; readonly holder: string };
  /**
   * Sequence number of the last prompt accepted (any session). Shared by the instances of one
   * store, since the messages it numbers are: a cancel's watermark on one instance then compares
   * with the prompts of every instance in one order.
   */
  readonly accepted: { seq: number };
  /** cancelWatermark design: prompts with `acceptSeq <=` the mark of their session are cancelled. */
  readonly cancelMarks: Map<string, number>;
  /** Prompts accepted and not yet over, per session (busyOnAccept). */
  readonly inflight: Map<string, number>;
  /** Background jobs that have not ended, in start order. */
  readonly jobs: Map<string, Job>;
  /** child session -> parent session, from `session.created`. */
  readonly parents: Map<string, string>;
  /** Permission asks waiting for a reply, by permission id. */
  readonly permissions: Map<string, { readonly sessionID: string; answer(reply: "allow" | "reject"): void }>;
  /** Cancels per session so far (cancelTree). */
  readonly cancelEpochs: Map<string, number>;
  /** Forked fibers besides runs (jobs, plugin watchers): dispose interrupts them. */
  readonly fibers: Set<AbortController>;
  /** `prompt` as the server runs it, for tools and jobs (accounting included). */
  prompt(input: PromptInput, job?: string): Promise<PromptResult>;
  /** `prompt_async`: starts `prompt` detached (errors are published, as the server does). */
  promptAsync(input: PromptInput, job?: string): void;
  /** `loop(sid)` without a new message, as upstream's `resumeWhenIdle` calls it. */
  wake(sessionID: string, request: string, job: string): Promise<void>;
  /** `POST /session/:id/abort`. */
  cancel(sessionID: string, request: string): Promise<void>;
  /** Names the next run of a session (`s1.run3`). */
  nextRunID(sessionID: string): string;
  /** Names the next runner object of a session (`s1/r2`). */
  nextRunnerID(sessionID: string): string;
  /** The session loop (docs/design.md §3). */
  runLoop(sessionID: string, run: Run): Promise<StoredMessage | undefined>;
  /**
   * Publishes idle after the point `label`. With `truthfulIdle` it decides at publish time
   * and skips the publish while a runner of the session is Running.
   */
  publishIdle(sessionID: string, label: string): Promise<void>;
}
