import type { Scenario } from "../scenario/schema.ts";
import type { ScheduleResult } from "./runSchedule.ts";

/** How big a failing schedule is; smaller is better, compared in this order. */
export interface ScheduleSize {
  /** Client actions in the scenario. */
  readonly actions: number;
  readonly steps: number;
  readonly preemptions: number;
}

/** The size of a failing schedule. */
export function sizeOf(scenario: Scenario, result: ScheduleResult): ScheduleSize {
  return {
    actions: scenario.clients.reduce((n, c) => n + c.actions.length, 0),
    steps: result.end.steps,
    preemptions: result.preemptions,
  };
}

/** "3 -> 2 client actions, 26 -> 22 steps, 2 -> 0 preemptions" */
export function describeShrink(a: ScheduleSize, b: ScheduleSize): string {
  return `${a.actions} -> ${b.actions} client actions, ${a.steps} -> ${b.steps} steps, ${a.preemptions} -> ${b.preemptions} preemptions`;
}

/**
 * What the exhaustive phase proved, as a clause: "the shortest failing schedule with at most 1
 * preemption", "the shortest failing schedule of this scenario", or "" when it proved nothing.
 */
export function describeShortest(shortestWithin: number): string {
  if (shortestWithin === Number.POSITIVE_INFINITY) return "the shortest failing schedule of this scenario (whole space searched)";
  if (shortestWithin < 0) return "";
  return `the shortest failing schedule with at most ${shortestWithin} preemption${shortestWithin === 1 ? "" : "s"} (searched exhaustively)`;
}

/** `shortestWithin` for JSON: a bound, "all", or null. */
export function shortestWithinJson(shortestWithin: number): number | "all" | null {
  if (shortestWithin === Number.POSITIVE_INFINITY) return "all";
  return shortestWithin < 0 ? null : shortestWithin;
}

/** Whether size `a` is smaller than `b`: fewer client actions, then fewer steps, then fewer preemptions. */
export function smaller(a: ScheduleSize, b: ScheduleSize): boolean {
  if (a.actions !== b.actions) return a.actions < b.actions;
  if (a.steps !== b.steps) return a.steps < b.steps;
  return a.preemptions < b.preemptions;
}
