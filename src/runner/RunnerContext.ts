import type { RunnerPort } from "../port.ts";
import type { RunnerDesign } from "./design.ts";
import type { MessageStore, StoredMessage } from "./MessageStore.ts";
import type { Runner, Run } from "./Runner.ts";
import type { StatusBus } from "./StatusBus.ts";

/** The per-instance state one session runner model shares between its parts. */
export interface RunnerContext {
  readonly port: RunnerPort;
  readonly design: RunnerDesign;
  readonly store: MessageStore;
  readonly status: StatusBus;
  /** The runners map: `Map<sessionID, Runner>`. */
  readonly runners: Map<string, Runner>;
  /** Sequence number of the last prompt accepted (any session). */
  acceptSeq: number;
  /** cancelWatermark design: prompts with `acceptSeq <=` the mark of their session are cancelled. */
  readonly cancelMarks: Map<string, number>;
  /** Names the next run of a session (`s1.run3`). */
  nextRunID(sessionID: string): string;
  /** Names the next runner object of a session (`s1/r2`). */
  nextRunnerID(sessionID: string): string;
  /** The session loop (section 3 of the reference). */
  runLoop(sessionID: string, run: Run): Promise<StoredMessage | undefined>;
  /**
   * Publishes idle after the point `label`. With `truthfulIdle` it decides at publish time
   * and skips the publish while a runner of the session is Running.
   */
  publishIdle(sessionID: string, label: string): Promise<void>;
}
