import type { RunEnd, TraceEvent } from "../trace.ts";

/** One broken promise of the system, located in the run. */
export interface Violation {
  readonly invariant: string;
  /** What broke, for which session/message/run, in one sentence. */
  readonly message: string;
  /** The step at which it became observable (the last step for end-of-run checks). */
  readonly step: number;
  readonly sessionID?: string;
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
