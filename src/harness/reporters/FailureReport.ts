import type { Violation } from "../invariants/Invariant.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { TraceEvent } from "../trace.ts";

/**
 * Everything a failure reporter draws from: one failing run, the scenario it ran, and how to
 * reproduce it. Plain data: the reporters are pure functions of it (no clock, no randomness),
 * so the same failure always renders to the same bytes.
 */
export interface FailureReport {
  /** File stem, e.g. "idle-prompt-async--upstream--every-message-answered--seed1-run0". */
  readonly name: string;
  readonly scenario: Scenario;
  readonly runner: string;
  readonly observer?: string;
  readonly transport?: "inproc" | "http";
  /** The released scheduling-point labels, in order: step i+1 released `choices[i]`. */
  readonly choices: readonly string[];
  /** Every event of the run, stamped with the step during which it happened (0 = before the first). */
  readonly trace: readonly TraceEvent[];
  readonly violations: readonly Violation[];
  /** The command to paste to reproduce, e.g. "npx racelab replay reports/failures/x.json". */
  readonly replay: string;
}
