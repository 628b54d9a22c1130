import { createHash } from "node:crypto";
import type { Invariant, Violation } from "../invariants/Invariant.ts";
import type { RunnerVariant } from "../port.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { Strategy } from "../scheduler/strategies/Strategy.ts";
import { runSchedule, type ScheduleResult } from "./runSchedule.ts";

/** Resolved options of one exploration. */
export interface ExploreOptions {
  readonly scenario: Scenario;
  readonly runner: RunnerVariant;
  readonly strategy: Strategy;
  readonly invariants: readonly Invariant[];
  /** Schedules to run at most. */
  readonly runs: number;
  readonly maxSteps: number;
  /** Keep exploring after a failure, collecting one failing schedule per distinct invariant set. */
  readonly keepGoing: boolean;
  /** Schedules run at once when the strategy allows it (throughput only; results do not depend on it). */
  readonly concurrency: number;
}

/** One failing schedule. */
export interface Failure {
  /** 0-based schedule number. */
  readonly run: number;
  readonly result: ScheduleResult;
  readonly violations: readonly Violation[];
}

/** What an exploration found. */
export interface ExploreResult {
  readonly schedulesRun: number;
  readonly failures: readonly Failure[];
  /** sha256 (16 hex) over every schedule run: its choices and its verdict. Same inputs, same hash. */
  readonly traceHash: string;
  /** The strategy ran out of schedules before the budget. */
  readonly exhausted: boolean;
}

/**
 * Runs schedules until the budget is spent, the strategy is exhausted, or (unless keepGoing)
 * a schedule violates an invariant. Schedules are processed in order, so the result never
 * depends on `concurrency`.
 */
export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const hash = createHash("sha256");
  const failures: Failure[] = [];
  const seen = new Set<string>();
  const batchSize = options.strategy.independent ? Math.max(1, options.concurrency) : 1;
  let run = 0;
  let exhausted = false;
  outer: while (run < options.runs) {
    const batch: Promise<ScheduleResult>[] = [];
    for (let i = 0; i < batchSize && run + i < options.runs; i++) {
      const chooser = options.strategy.next(run + i);
      if (!chooser) {
        exhausted = true;
        break;
      }
      batch.push(
        runSchedule({
          scenario: options.scenario,
          runner: options.runner,
          invariants: options.invariants,
          chooser,
          maxSteps: options.maxSteps,
        }),
      );
    }
    if (batch.length === 0) break;
    const results = await Promise.all(batch);
    for (const result of results) {
      hash.update(result.choices.join("\n"));
      hash.update(`|${result.violations.map((v) => v.invariant).join(",")}\n`);
      const current = run;
      run += 1;
      if (result.violations.length === 0) continue;
      const key = [...new Set(result.violations.map((v) => v.invariant))].sort().join(",");
      if (!seen.has(key)) {
        seen.add(key);
        failures.push({ run: current, result, violations: result.violations });
      }
      if (!options.keepGoing) break outer;
    }
    if (exhausted) break;
  }
  return { schedulesRun: run, failures, traceHash: hash.digest("hex").slice(0, 16), exhausted };
}
