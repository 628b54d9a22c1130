import type { Cause } from "../explain/Cause.ts";
import type { RunEnd, TraceEvent } from "../trace.ts";

/** One broken promise of the system, located in the run. */
export interface Violation {
  readonly invariant: string;
  /** What broke, for which session/message/run, in one sentence. */
  readonly message: string;
  /** The step at which it became observable (the last step for end-of-run checks). */
  readonly step: number;
  readonly sessionID?: string;
  /**
   * The steps the verdict rests on, in the invariant's words. The harness derives the
   * violation's causal chain from them (src/harness/explain/); an invariant that gives none
   * gets no chain.
   */
  readonly evidence?: readonly Evidence[];
  /** The causal chain, derived from `evidence` and the run's steps once the run is over. */
  readonly cause?: Cause;
}

/** One step a verdict rests on. */
export interface Evidence {
  /** 1-based step (0: before the first step). */
  readonly step: number;
  /** What happened there, as a link of the chain: "b1 stored msg_3 whole" (the chain adds "at <step>"). */
  readonly what: string;
  /**
   * The part the step's actor plays ("prompt", "run"): the signature names the actor by it,
   * so one race is one signature whichever request or job plays the part. Default: the
   * actor's name with sessions, clients and numbers abstracted.
   */
  readonly role?: string;
  /**
   * How a signature names what the step did (default: its label without the actor, names
   * and numbers abstracted): the meaning the step has for the verdict, where the code can get
   * there by several paths (a run exits after its last read, or from a halt after a cancel).
   */
  readonly as?: string;
  /**
   * This step is one side of a race: also name, for each other actor of the chain, its last
   * step before this one that conflicts with it (the read this write came too late for, the
   * write this read missed).
   */
  readonly race?: boolean;
  /** Also name the step during which this step's point was created (what made it happen). */
  readonly origin?: boolean;
  /** Also name the last step of another actor before it that wrote what it reads (what it acted on). */
  readonly input?: boolean;
}

/** A property checked over the trace of one run. */
export interface Invariant {
  readonly name: string;
  readonly description: string;
  /** `true`: only meaningful when the run ended at rest (liveness). */
  readonly liveness: boolean;
  check(trace: readonly TraceEvent[], end: RunEnd): Violation[];
}

/** Narrows a trace event by type. */
export type EventOf<T extends TraceEvent["type"]> = Extract<TraceEvent, { type: T }>;
