import { PrefixDivergence } from "../../errors.ts";
import { independent } from "../Footprint.ts";
import { actorOf, type ReadyPoint } from "../VirtualScheduler.ts";
import { asleep, budgetAfter, choiceOf, isPreemption, type Frame, type Sleeper } from "../por/Frame.ts";
import { StepSet, type StepFacts } from "../por/HappensBefore.ts";
import { reverseNeverRan, reverseRaces } from "../por/reverseRaces.ts";
import { close, extendBlocks } from "../por/blocks.ts";
import { ABANDON, STRATEGY_DEFAULTS, type ScheduleChooser, type StrategyFactory } from "./Strategy.ts";

/**
 * Exhaustive stateless depth-first search over schedules with a preemption bound (Musuvathi
 * and Qadeer, PLDI 2007: CHESS). A frame's alternatives are tried non-preemptive first; a
 * choice that switches away from a runnable actor costs one preemption. `next` returns
 * `undefined` once the space within the bound is exhausted: the exploration is complete.
 *
 * With reduction (the default) it is source-DPOR with sleep sets (Abdulla, Aronis, Jonsson and
 * Sagonas, "Optimal dynamic partial order reduction", POPL 2014, Algorithm 1) over the
 * read/write footprints runners report: a frame explores only its first choice and the labels
 * that reversing a race of a later step added to its backtrack set (see ../por/), and a label
 * asleep there (Godefroid, 1996) is skipped; a schedule whose every ready point is asleep is
 * equivalent to one already explored and is abandoned. Two changes keep it sound under the
 * preemption bound: a reversal that needs a preemption is also tried where the block of steps
 * it falls in began (conservative backtracking, Coons, Musuvathi and McKinley, "Bounded partial-
 * order reduction", OOPSLA 2013), and a sleeper explored with less budget than it would have now
 * is woken. Points still waiting when a run exits or hits its step limit never ran, so they
 * count as conflicting with everything. Without reduction every ready label of every frame is
 * explored (plain DFS), the yardstick the reduced search is tested against.
 */
export const dfs: StrategyFactory = ({ preemptions = STRATEGY_DEFAULTS.preemptions, reduction = true, prefix = [] }) => {
  const bound = preemptions;
  // A subtree (see explore/dfsSplit.ts): the first steps are fixed and never backtracked into.
  const floor = prefix.length;
  const bounded = Number.isFinite(bound);
  // invariant: stack[i] describes step i of the schedule being (re)played; facts[i] = stack[i].facts.
  const stack: Frame[] = [];
  const facts: StepFacts[] = [];
  const context = { stack, facts };
  let started = false;
  let complete = false;
  let schedules = 0;
  let abandoned = 0;
  let skipped = 0;
  /** What is left of the wakeup sequence of the alternative backtracking chose last. */
  let guide: readonly string[] = [];

  const wanted = (frame: Frame, label: string) => frame.backtrack === undefined || frame.backtrack.has(label);
  /** A label the frame may still explore: a new frame's first choice may be any. */
  const allowed = (frame: Frame, label: string) =>
    (frame.tried.length === 0 || wanted(frame, label)) &&
    !frame.tried.includes(label) &&
    !asleep(frame, label) &&
    budgetAfter(frame, label, bound) >= 0;
  /**
   * The first label the frame may still explore, in the order alternatives are tried: the
   * non-preemptive choice first (the last actor going on), then the rest in creation order.
   */
  const firstAllowed = (frame: Frame): string | undefined => {
    for (const label of frame.ready) if (actorOf(label) === frame.lastActor && allowed(frame, label)) return label;
    for (const label of frame.ready) if (actorOf(label) !== frame.lastActor && allowed(frame, label)) return label;
    return undefined;
  };

  function backtrack(): boolean {
    while (stack.length > floor) {
      const frame = stack[stack.length - 1]!;
      const next = firstAllowed(frame);
      if (next !== undefined) {
        frame.tried.push(next);
        frame.backtrack?.add(next);
        guide = frame.wakeup.get(next) ?? [];
        frame.facts = undefined;
        facts.length = stack.length - 1;
        return true;
      }
      skipped += frame.ready.filter((l) => wanted(frame, l) && !frame.tried.includes(l) && asleep(frame, l)).length;
      stack.pop();
    }
    facts.length = 0;
    return false;
  }

  /** The sleep set after `prev`'s current choice ran: its sleepers and explored siblings that commute with it. */
  /** The first label of the wakeup sequence that this new frame may run, taken off the sequence. */
  function takeGuided(frame: Frame): string | undefined {
    const at = guide.findIndex((l) => frame.born.has(l) && allowed(frame, l));
    if (at < 0) return undefined;
    const label = guide[at]!;
    guide = guide.filter((_, k) => k !== at);
    return label;
  }

  function sleepAfter(prev: Frame): Map<string, Sleeper> {
    const sleep = new Map<string, Sleeper>();
    if (!reduction) return sleep;
    const current = choiceOf(prev);
    const done = prev.footprints.get(current);
    if (!done) return sleep;
    // Nothing asleep on entry and nothing explored here before: nothing to carry on.
    if (prev.sleep.size === 0 && prev.tried.length === 1) return sleep;
    const candidates = new Map(prev.sleep);
    const cost = (label: string) => (isPreemption(prev, label) ? 1 : 0);
    for (const label of prev.tried.slice(0, -1)) {
      const block = prev.blocks.get(label);
      const own = prev.footprints.get(label)!;
      const open = block === undefined || block.open;
      const delta = bounded ? cost(label) + (open ? 1 : 0) - cost(current) : 0;
      const alone = block !== undefined && !block.shared ? { footprint: own, delta: bounded ? cost(label) + 1 - cost(current) : 0 } : undefined;
      candidates.set(label, { footprint: block?.footprint ?? own, delta, ...(alone && { alone }) });
    }
    for (const [label, sleeper] of candidates) {
      if (label === current) continue;
      const whole = independent(sleeper.footprint, done);
      const alone = sleeper.alone !== undefined && independent(sleeper.alone.footprint, done) ? sleeper.alone : undefined;
      if (whole) sleep.set(label, alone || sleeper.alone === undefined ? sleeper : { footprint: sleeper.footprint, delta: sleeper.delta });
      else if (alone) sleep.set(label, alone);
    }
    return sleep;
  }

  function newFrame(ready: readonly ReadyPoint[], step: number): Frame {
    const prev = stack[step - 1];
    const prevChoice = prev === undefined ? undefined : choiceOf(prev);
    const lastActor = prevChoice === undefined ? "" : actorOf(prevChoice);
    const lastActorReady = ready.some((p) => p.actor === lastActor);
    const born = new Map<string, number>();
    for (const p of ready) born.set(p.label, (p.born ?? 0) - 1);
    return {
      ready: ready.map((p) => p.label),
      born,
      lastActor,
      lastActorReady,
      preemptionsBefore: prev ? prev.preemptionsBefore + (isPreemption(prev, prevChoice!) ? 1 : 0) : 0,
      tried: [],
      footprints: new Map(),
      blocks: new Map(),
      sleep: prev ? sleepAfter(prev) : new Map(),
      backtrack: reduction ? new Set() : undefined,
      wakeup: new Map(),
      facts: undefined,
    };
  }

  /** The subtree's fixed choice at `step`, which the run must offer. */
  function fixedChoice(frame: Frame, ready: readonly ReadyPoint[], step: number): string {
    const label = prefix[step]!;
    if (!ready.some((p) => p.label === label) || budgetAfter(frame, label, bound) < 0) {
      throw new PrefixDivergence(`dfs was given the subtree of a prefix, but at step ${step + 1} the run offered ${ready.map((p) => `'${p.label}'`).join(", ")} where the prefix has '${label}'`, step + 1);
    }
    return label;
  }

  function chooser(): ScheduleChooser {
    const replayed = stack.length;
    // The last replayed frame's choice is new: its step and every later one have not been analysed.
    const fresh = Math.max(0, replayed - 1);
    return {
      choose(ready, step) {
        if (step < replayed) {
          const label = choiceOf(stack[step]!);
          const index = ready.findIndex((p) => p.label === label);
          if (index < 0) {
            throw new PrefixDivergence(`dfs replayed a prefix it ran before, but at step ${step + 1} the run offered ${ready.map((p) => `'${p.label}'`).join(", ")} where it offered '${label}' the first time`, step + 1);
          }
          return index;
        }
        const frame = newFrame(ready, step);
        stack.push(frame);
        const next = step < floor ? fixedChoice(frame, ready, step) : (takeGuided(frame) ?? firstAllowed(frame));
        if (next === undefined) {
          if (reduction) close(stack, step - 1, frame.lastActorReady);
          abandoned += 1;
          return ABANDON;
        }
        frame.tried.push(next);
        frame.backtrack?.add(next);
        return ready.findIndex((p) => p.label === next);
      },
      observe(step, footprint) {
        const frame = stack[step];
        if (!frame) return;
        const label = choiceOf(frame);
        frame.footprints.set(label, footprint);
        if (!reduction || step < fresh) return;
        extendBlocks(stack, step, footprint);
        frame.facts = { born: frame.born.get(label)!, footprint, before: new StepSet(step) };
        facts[step] = frame.facts;
        reverseRaces(context, step, label);
        const disabled = footprint.disabled?.filter((l) => frame.born.has(l));
        if (disabled?.length) reverseNeverRan(context, disabled.map((l) => ({ label: l, creator: frame.born.get(l)! })));
      },
      finish(steps, atRest, left) {
        if (reduction) close(stack, steps - 1, !atRest);
        if (!reduction || atRest || left === undefined || left.length === 0 || facts.length !== steps) return;
        reverseNeverRan(context, left.map((p) => ({ label: p.label, creator: (p.born ?? 0) - 1 })));
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
      const reduced = reduction ? `; source-DPOR with sleep sets abandoned ${abandoned} redundant schedules and skipped ${skipped} sleeping alternatives` : "";
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
