import { actorOf } from "../VirtualScheduler.ts";
import type { Footprint } from "../Footprint.ts";
import type { StepFacts } from "./HappensBefore.ts";
import type { Block } from "./blocks.ts";

/**
 * A label asleep at a frame: exploring it from here is known to repeat an exploration done
 * before, as long as that exploration had at least the preemption budget it would have here.
 */
export interface Sleeper {
  readonly footprint: Footprint;
  /**
   * How many more preemptions a schedule costs when this label is moved back to where it was
   * explored: its own cost there, plus one when its actor had a next point ready right after
   * it (the explored schedule then switches away from that actor), less the cost of the choice
   * made there instead.
   */
  readonly delta: number;
  /**
   * When the label's block had more steps than its own: the label moved back alone, with its
   * step's own footprint (the classic sleep set, Godefroid 1996). Its actor was still ready
   * after it (the block went on), so its `delta` always counts the switch away. The sleeper
   * stays asleep while either view commutes with every step since and costs no preemption.
   */
  readonly alone?: { readonly footprint: Footprint; readonly delta: number };
}

/** One decision of the current schedule of a depth-first search, kept for backtracking. */
export interface Frame {
  /** Ready labels at this step, in creation order. */
  readonly ready: readonly string[];
  /** For each ready label, the 0-based step that created its point (-1: before the first step). */
  readonly born: ReadonlyMap<string, number>;
  /** Actor of the previous step ("" at step 0). */
  readonly lastActor: string;
  /** The previous step's actor is among the ready ones: switching away from it is a preemption. */
  readonly lastActorReady: boolean;
  /** Preemptions on the path before this step. */
  readonly preemptionsBefore: number;
  /** Labels explored here, in order; the last one is the current choice. invariant: no duplicates. */
  readonly tried: string[];
  /** Footprint of each tried label, observed when its step ran. */
  readonly footprints: Map<string, Footprint>;
  /** For each tried label, the block it started on its first path (see ./blocks.ts). */
  readonly blocks: Map<string, Block>;
  /** Sleep set on entry. */
  readonly sleep: Map<string, Sleeper>;
  /**
   * Labels that must be explored from here (source-DPOR's backtrack set), or `undefined` when
   * every ready label must (plain DFS). invariant: holds every tried label.
   */
  readonly backtrack: Set<string> | undefined;
  /**
   * For a label a race reversal added to the backtrack set: the rest of the reversal, the
   * labels to prefer in the steps after it, so that the new schedule reaches the reversed race
   * instead of wandering into a branch that sleep sets would abandon (a single-sequence
   * wakeup tree, after Abdulla et al., POPL 2014).
   */
  readonly wakeup: Map<string, readonly string[]>;
  /** Happens-before facts of the current choice's step, once it has run. */
  facts: StepFacts | undefined;
}

/** The label is the current choice of the frame. */
export function choiceOf(frame: Frame): string {
  return frame.tried[frame.tried.length - 1]!;
}

/** Releasing `label` at this frame switches away from a runnable actor. */
export function isPreemption(frame: Frame, label: string): boolean {
  return frame.lastActorReady && actorOf(label) !== frame.lastActor;
}

/** Preemptions left for the rest of the schedule after `label` runs at this frame. */
export function budgetAfter(frame: Frame, label: string, bound: number): number {
  return bound - frame.preemptionsBefore - (isPreemption(frame, label) ? 1 : 0);
}

/**
 * `label` is asleep here: a sleeper whose earlier exploration covered every schedule that
 * exploring it here would, within the bound. Without a bound that is every sleeper (Godefroid,
 * 1996). Under a preemption bound, moving the label back to where it was explored changes the
 * schedule's preemptions by the sleeper's `delta` (Coons, Musuvathi and McKinley, OOPSLA 2013:
 * the bound makes independent steps dependent), so only a sleeper whose `delta` is at most 0
 * stays asleep; the others are woken and explored.
 */
export function asleep(frame: Frame, label: string): boolean {
  const sleeper = frame.sleep.get(label);
  return sleeper !== undefined && (sleeper.delta <= 0 || (sleeper.alone !== undefined && sleeper.alone.delta <= 0));
}
