import type { ReadyPoint } from "../VirtualScheduler.ts";

/** Picks the next point of one schedule. */
export interface ScheduleChooser {
  /** Index into `ready` (non-empty, in creation order) of the point to release at `step` (0-based). */
  choose(ready: readonly ReadyPoint[], step: number): number;
  /** Called when the schedule has ended after `steps` steps; may throw (replay: ended early). */
  finish?(steps: number, atRest: boolean): void;
}

/**
 * A way to explore schedules: hands out one chooser per schedule. A strategy whose
 * choosers do not depend on each other's outcome is `independent`, so the explorer may run
 * several of its schedules at once.
 */
export interface Strategy {
  readonly name: string;
  readonly independent: boolean;
  /** The chooser of schedule number `run` (0-based), or `undefined` when there is nothing left to explore. */
  next(run: number): ScheduleChooser | undefined;
}

/** Options every strategy factory receives, resolved once by the CLI or the API. */
export interface StrategyOptions {
  readonly seed: number;
}

/** Builds a strategy from resolved options. */
export type StrategyFactory = (options: StrategyOptions) => Strategy;
