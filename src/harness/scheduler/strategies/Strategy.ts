import type { Footprint } from "../Footprint.ts";
import type { ReadyPoint } from "../VirtualScheduler.ts";

/** What `choose` returns to abandon a redundant schedule (partial-order reduction). */
export const ABANDON = -1;

/** Picks the next point of one schedule. */
export interface ScheduleChooser {
  /**
   * Index into `ready` (non-empty, in creation order) of the point to release at `step`
   * (0-based), or {@link ABANDON} to stop a schedule that is known to be redundant.
   */
  choose(ready: readonly ReadyPoint[], step: number): number;
  /** Told, after each step has run to quiescence, what that step read and wrote. */
  observe?(step: number, footprint: Footprint): void;
  /**
   * Called when the schedule has ended after `steps` steps; may throw (replay: ended early).
   * `left` holds the points still waiting when it ended without coming to rest.
   */
  finish?(steps: number, atRest: boolean, left?: readonly ReadyPoint[]): void;
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
  /**
   * Called once before the first `next` with the size of the scenario, measured by one
   * probe schedule that always releases the oldest ready point. Strategies that need `k`
   * (steps) or `n` (actors), such as PCT, take them from here.
   */
  prepare?(probe: ScenarioSize): void;
  /** What the strategy has to say after an exploration (PCT's bound, DFS completeness). */
  summary?(): StrategySummary;
}

/** Size of a scenario as one probe schedule measured it. */
export interface ScenarioSize {
  readonly steps: number;
  readonly actors: number;
}

/** A strategy's own report, printed by `explore` and carried in `--json`. */
export interface StrategySummary {
  readonly text: string;
  readonly [key: string]: unknown;
}

/** Options every strategy factory receives, resolved once by the CLI or the API. */
export interface StrategyOptions {
  readonly seed: number;
  /** PCT: the bug depth d to target (d - 1 priority change points). Default {@link STRATEGY_DEFAULTS}.depth. */
  readonly depth?: number;
  /** DFS: the preemption bound. Default {@link STRATEGY_DEFAULTS}.preemptions. */
  readonly preemptions?: number;
  /** DFS: partial-order reduction (source-DPOR with sleep sets). Default true. */
  readonly reduction?: boolean;
  /** DFS: explore only the subtree below these first choices (a split search, explore/dfsSplit.ts). */
  readonly prefix?: readonly string[];
}

/** Defaults of the strategy options (the CLI shows them in --help). */
export const STRATEGY_DEFAULTS = { depth: 3, preemptions: 2 } as const;

/** Builds a strategy from resolved options. */
export type StrategyFactory = (options: StrategyOptions) => Strategy;
