import type { Invariant, Violation } from "../../harness/invariants/Invariant.ts";
import type { PointOptions, RunnerVariant, TimerHandle, Timers } from "../port.ts";
import type { RunObserver } from "../../subjects/observers/RunObserver.ts";
import { createWorld } from "../../harness/scenario/createWorld.ts";
import type { Scenario } from "../../harness/scenario/schema.ts";
import type { TraceEvent } from "../../harness/trace.ts";
import { stampEvent } from "../../harness/explore/stampEvent.ts";

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
  observer?: RunObserver,
): Promise<ForeignRun> {
  const trace: TraceEvent[] = [];
  let steps = 0;
  const point = async (label: string, options?: PointOptions) => {
    await scheduler.point(label, options);
    steps += 1;
  };
  const timers = pointTimers(point);
  const world = createWorld(
    scenario,
    runner,
    {
      point,
      now: () => timers.now(),
      timers,
      emit: (event) => {
        trace.push(stampEvent(event, steps));
      },
    },
    observer ? { observer } : {},
  );
  world.start();
  await scheduler.settle();
  const end = { atRest: true, steps, limitHit: false, maxSteps: Number.POSITIVE_INFINITY, pendingCalls: world.pendingCalls() };
  return { trace, steps, violations: invariants.flatMap((inv) => inv.check(trace, end)) };
}

/**
 * Timers for a foreign scheduler: each timer is a point of that scheduler, and virtual time
 * jumps to a timer's due time when it fires (never backwards). Unref'd timers never fire: a
 * foreign scheduler cannot tell when only they are left.
 */
export function pointTimers(point: (label: string) => Promise<void>): Timers {
  let now = 0;
  const cleared = new WeakSet<TimerHandle>();
  const set = (label: string, ms: number, callback: () => void, unref: boolean, every?: number, handle: TimerHandle = { label }): TimerHandle => {
    if (unref) return handle;
    const due = now + Math.max(0, ms);
    void point(label).then(() => {
      if (cleared.has(handle)) return;
      now = Math.max(now, due);
      if (every !== undefined) set(label, every, callback, unref, every, handle);
      callback();
    });
    return handle;
  };
  return {
    setTimeout: (label, ms, callback, options) => set(label, ms, callback, options?.unref ?? false),
    setInterval: (label, ms, callback, options) => set(label, ms, callback, options?.unref ?? false, Math.max(1, ms)),
    clearTimeout: (handle) => cleared.add(handle),
    clearInterval: (handle) => cleared.add(handle),
    now: () => now,
  };
}
