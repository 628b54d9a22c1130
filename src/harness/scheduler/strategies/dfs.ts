import { PrefixDivergence } from "../../errors.ts";
import { independent, type Footprint } from "../Footprint.ts";
import { actorOf } from "../VirtualScheduler.ts";
import { ABANDON, STRATEGY_DEFAULTS, type ScheduleChooser, type StrategyFactory } from "./Strategy.ts";

/** One decision of the current schedule, kept for backtracking. */
interface Frame {
  /** Ready labels at this step, in creation order. */
  readonly ready: readonly string[];
  /** Actor of the previous step ("" at step 0). */
  readonly lastActor: string;
  /** Preemptions on the path before this step. */
  readonly preemptionsBefore: number;
  /** Labels explored here, in order; the last one is the current choice. invariant: no duplicates. */
  readonly tried: string[];
  /** Footprint of each tried label, observed when its step ran. */
  readonly footprints: Map<string, Footprint>;
  /** Sleep set on entry: labels whose exploration from here is known to be redundant. */
  readonly sleep: Map<string, Footprint>;
}

/**
 * Exhaustive stateless depth-first search over schedules with a preemption bound (Musuvathi
 * and Qadeer, PLDI 2007: CHESS), optionally reduced with sleep sets (Godefroid, 1996) built
 * from each step's read/write footprint. A frame's alternatives are tried non-preemptive
 * first; a choice that switches away from a runnable actor costs one preemption. When every
 * ready point of a new step is asleep, the rest of the schedule is equivalent to one already
 * explored and the schedule is abandoned. `next` returns `undefined` once the space within the
 * bound is exhausted: the exploration is complete.
 */
export const dfs: StrategyFactory = ({ preemptions = STRATEGY_DEFAULTS.preemptions, reduction = true }) => {
  const bound = preemptions;
  // invariant: stack[i] describes step i of the schedule being (re)played.
  const stack: Frame[] = [];
  let started = false;
  let complete = false;
  let schedules = 0;
  let abandoned = 0;
  let skipped = 0;

  const isPreemption = (frame: Frame, label: string) =>
    actorOf(label) !== frame.lastActor && frame.ready.some((l) => actorOf(l) === frame.lastActor);
  const allowed = (frame: Frame, label: string) =>
    !frame.tried.includes(label) &&
    !frame.sleep.has(label) &&
    frame.preemptionsBefore + (isPreemption(frame, label) ? 1 : 0) <= bound;
  /** Non-preemptive choice first (the last actor going on), then the rest in creation order. */
  const ordered = (frame: Frame) => [
    ...frame.ready.filter((l) => actorOf(l) === frame.lastActor),
    ...frame.ready.filter((l) => actorOf(l) !== frame.lastActor),
  ];

  function backtrack(): boolean {
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const next = ordered(frame).find((l) => allowed(frame, l));
      if (next !== undefined) {
        frame.tried.push(next);
        return true;
      }
      skipped += frame.ready.filter((l) => frame.sleep.has(l) && !frame.tried.includes(l)).length;
      stack.pop();
    }
    return false;
  }

  function sleepAfter(prev: Frame): Map<string, Footprint> {
    const sleep = new Map<string, Footprint>();
    if (!reduction) return sleep;
    const current = prev.tried[prev.tried.length - 1]!;
    const done = prev.footprints.get(current);
    if (!done) return sleep;
    const candidates = new Map(prev.sleep);
    for (const label of prev.tried.slice(0, -1)) candidates.set(label, prev.footprints.get(label)!);
    for (const [label, fp] of candidates) if (independent(fp, done)) sleep.set(label, fp);
    return sleep;
  }

  function chooser(): ScheduleChooser {
    const replayed = stack.length;
    return {
      choose(ready, step) {
        if (step < replayed) {
          const wanted = stack[step]!.tried[stack[step]!.tried.length - 1]!;
          const index = ready.findIndex((p) => p.label === wanted);
          if (index < 0) {
            throw new PrefixDivergence(`dfs replayed a prefix it ran before, but at step ${step + 1} the run offered ${ready.map((p) => `'${p.label}'`).join(", ")} where it offered '${wanted}' the first time`, step + 1);
          }
          return index;
        }
        const prev = stack[step - 1];
        const prevChoice = prev?.tried[prev.tried.length - 1];
        const frame: Frame = {
          ready: ready.map((p) => p.label),
          lastActor: prevChoice === undefined ? "" : actorOf(prevChoice),
          preemptionsBefore: prev ? prev.preemptionsBefore + (isPreemption(prev, prevChoice!) ? 1 : 0) : 0,
          tried: [],
          footprints: new Map(),
          sleep: prev ? sleepAfter(prev) : new Map(),
        };
        stack.push(frame);
        const next = ordered(frame).find((l) => allowed(frame, l));
        if (next === undefined) {
          abandoned += 1;
          return ABANDON;
        }
        frame.tried.push(next);
        return ready.findIndex((p) => p.label === next);
      },
      observe(step, footprint) {
        const frame = stack[step];
        if (frame) frame.footprints.set(frame.tried[frame.tried.length - 1]!, footprint);
      },
    };
  }

  return {
    name: "dfs",
    independent: false,
    next() {
      if (started && !backtrack()) {
        complete = true;
        return undefined;
      }
      started = true;
      schedules += 1;
      return chooser();
    },
    summary() {
      const reduced = reduction ? `; sleep sets abandoned ${abandoned} redundant schedules and skipped ${skipped} sleeping alternatives` : "";
      return {
        text: complete
          ? `DFS complete: all ${schedules} schedules with at most ${bound} preemptions explored${reduced}`
          : `DFS cut by the budget after ${schedules} schedules (at most ${bound} preemptions); not complete${reduced}`,
        complete,
        schedules,
        preemptionBound: bound,
        reduction,
        abandoned,
        skipped,
      };
    },
  };
};
