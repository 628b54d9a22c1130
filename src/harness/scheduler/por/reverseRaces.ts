import { actorOf } from "../VirtualScheduler.ts";
import { analyseStep, reversalOf, StepSet, type StepFacts } from "./HappensBefore.ts";
import { asleep, choiceOf, isPreemption, type Frame } from "./Frame.ts";
import type { Footprint } from "../Footprint.ts";

/** What the search has to know of one schedule to reverse its races. */
export interface RaceContext {
  /** The frames of the current schedule; frame k's `facts` are step k's. */
  readonly stack: readonly Frame[];
  /** `stack[k].facts` for every step that has run, as one array. */
  readonly facts: readonly StepFacts[];
}

/** A step that waited but never ran (the run exited or hit its step limit): it conflicts with everything. */
const UNKNOWN: Footprint = { reads: new Set(), writes: new Set(), global: true };

/**
 * Source-DPOR's race reversal for step j (Abdulla, Aronis, Jonsson and Sagonas, POPL 2014,
 * Algorithm 1): for each step i in a race with j, unless the backtrack set of the state
 * before i already holds an initial of `notdep(i, E).j`, add one to it, preferring j's own
 * label. Under a preemption bound, when that choice is a preemption the label is also added
 * where the block of steps containing i began, so that the reversal can be reached with one
 * preemption less (conservative backtracking, Coons, Musuvathi and McKinley, OOPSLA 2013).
 */
export function reverseRaces(context: RaceContext, j: number, labelOfJ: string): void {
  for (const i of analyseStep(context.facts, j)) reverse(context, i, j, labelOfJ);
}

/** A point that waited and never ran: its label and the 0-based step that created it (-1: before the first). */
export interface NeverRan {
  readonly label: string;
  readonly creator: number;
}

/**
 * Points that never ran have unknown footprints: those a step took out of the ready set
 * (an interrupt, a cancelled task, a cleared timer), and those still waiting when a schedule
 * ended without coming to rest (the run exited, or the step limit cut a livelock). Each is
 * treated as a step right after the last one analysed that conflicts with everything, so that
 * running it before the steps it races with, the one that disabled it first, is tried.
 */
export function reverseNeverRan(context: RaceContext, points: readonly NeverRan[]): void {
  const n = context.facts.length;
  // One copy of the schedule's facts with a slot after the last step, for each point in turn.
  const facts = [...context.facts];
  const extended = { stack: context.stack, facts };
  for (const point of points) {
    facts[n] = { born: point.creator, footprint: UNKNOWN, before: new StepSet(n) };
    for (const i of analyseStep(facts, n)) reverse(extended, i, n, point.label);
  }
}

function reverse(context: RaceContext, i: number, j: number, labelOfJ: string): void {
  const frame = context.stack[i]!;
  const backtrack = frame.backtrack;
  if (backtrack === undefined) return;
  const labelOf = (k: number) => (k === j ? labelOfJ : choiceOf(context.stack[k]!));
  const reversal = reversalOf(context.facts, i, j);
  const initials = reversal.initials.map(labelOf);
  // An initial already to be explored here, or asleep here (explored before, with no more
  // preemptions than it would cost here), already covers the reversal.
  if (initials.some((label) => backtrack.has(label) || asleep(frame, label))) return;
  const runnable = initials.filter((label) => frame.born.has(label));
  if (runnable.length === 0) {
    // A timer that was not yet due first there: every ready label, to be safe.
    for (const label of frame.ready) backtrack.add(label);
    return;
  }
  const chosen = runnable.includes(labelOfJ) ? labelOfJ : runnable[0]!;
  backtrack.add(chosen);
  const rest = reversal.sequence.map(labelOf);
  rest.splice(rest.indexOf(chosen), 1);
  frame.wakeup.set(chosen, rest);
  if (!isPreemption(frame, chosen)) return;
  const start = blockStart(context.stack, i);
  if (start === i) return;
  const earlier = context.stack[start]!;
  // Where the block began the label would preempt too: no cheaper there.
  if (isPreemption(earlier, chosen)) return;
  if (earlier.born.has(chosen)) earlier.backtrack!.add(chosen);
  else for (const label of earlier.ready) earlier.backtrack!.add(label);
}

/** The first step of the run of consecutive steps by one actor that holds step i. */
function blockStart(stack: readonly Frame[], i: number): number {
  let start = i;
  while (start > 0 && stack[start]!.lastActor === actorOf(choiceOf(stack[start]!))) start -= 1;
  return start;
}
