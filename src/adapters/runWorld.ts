import type { Invariant, Violation } from "../invariants/Invariant.ts";
import type { PointOptions, RunnerVariant } from "../port.ts";
import { createWorld } from "../scenario/createWorld.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { TraceEvent } from "../trace.ts";

/** A scheduler other than racelab's: how it makes a point, and how to wait until the world is done. */
export interface ForeignScheduler {
  point(label: string, options?: PointOptions): Promise<void>;
  /** Resolves when the foreign scheduler considers the world settled. */
  settle(): Promise<void>;
}

/** The outcome of one run under a foreign scheduler. */
export interface ForeignRun {
  readonly trace: readonly TraceEvent[];
  readonly steps: number;
  readonly violations: readonly Violation[];
}

/**
 * Runs a scenario's world under a scheduler that is not racelab's (fast-check's, or none),
 * records the same trace, and checks the same invariants. The world ends when `settle`
 * resolves; it is taken to be at rest then.
 */
export async function runWorld(
  scenario: Scenario,
  runner: RunnerVariant,
  invariants: readonly Invariant[],
  scheduler: ForeignScheduler,
): Promise<ForeignRun> {
  const trace: TraceEvent[] = [];
  let steps = 0;
  const world = createWorld(scenario, runner, {
    point: async (label, options) => {
      await scheduler.point(label, options);
      steps += 1;
    },
    now: () => 0,
    emit: (event) => {
      trace.push({ ...event, step: steps } as TraceEvent);
    },
  });
  world.start();
  await scheduler.settle();
  const end = { atRest: true, steps, limitHit: false, maxSteps: Number.POSITIVE_INFINITY, pendingCalls: world.pendingCalls() };
  return { trace, steps, violations: invariants.flatMap((inv) => inv.check(trace, end)) };
}
