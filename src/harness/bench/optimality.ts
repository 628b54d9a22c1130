import { explore } from "../explore/explore.ts";
import { FingerprintSet } from "../explore/FingerprintSet.ts";
import { hash53 } from "../explore/fingerprint.ts";
import { resolveInvariants } from "../resolve.ts";
import type { Scenario } from "../scenario/schema.ts";
import { independent, type Footprint } from "../scheduler/Footprint.ts";
import { dfs } from "../scheduler/strategies/dfs.ts";
import { ABANDON, type ScheduleChooser, type Strategy } from "../scheduler/strategies/Strategy.ts";
import type { RunnerVariant } from "../../boundaries/port.ts";

/** How far a depth-first search is from exploring each equivalence class once. */
export interface Optimality {
  readonly scenario: string;
  readonly preemptions: number;
  readonly reduction: boolean;
  readonly schedules: number;
  /** Schedules the search abandoned part-way (every ready point asleep). */
  readonly abandoned: number;
  /** Mazurkiewicz classes among the schedules that ran to their end. */
  readonly classes: number;
  readonly complete: boolean;
  /** schedules / classes: 1 is optimal (each class once, nothing abandoned). */
  readonly ratio: number;
}

/**
 * Runs `dfs` and counts the equivalence classes (Mazurkiewicz traces) among the schedules that
 * ran to their end, under the dependence the search itself uses: step j depends on an earlier
 * step i when i created j's point, or when their footprints are not independent (a global step
 * depends on every step). A class is named by its Foata normal form (each step's level is one
 * more than the highest level of the steps it depends on; the key lists each level's labels,
 * sorted), which is the same for every schedule of the class. An optimal search (Abdulla et
 * al., POPL 2014) runs exactly one schedule per class and abandons none, so `ratio` is the
 * distance from it. Under a preemption bound no known search is optimal; this measures how
 * much the bound and the sleep sets cost here.
 */
export async function optimality(scenario: Scenario, runner: RunnerVariant, preemptions: number, budget: number, reduction = true): Promise<Optimality> {
  const classes = new FingerprintSet();
  const inner = dfs({ seed: 1, preemptions, reduction });
  const result = await explore({ scenario, runner, strategy: countingClasses(inner, (key) => classes.add(key)), invariants: resolveInvariants(scenario), runs: budget, maxSteps: 1000, keepGoing: true, concurrency: 1 });
  return {
    scenario: scenario.name,
    preemptions,
    reduction,
    schedules: result.schedulesRun,
    abandoned: result.stats.abandoned,
    classes: classes.size,
    complete: result.exhausted,
    ratio: classes.size > 0 ? Math.round((result.schedulesRun / classes.size) * 100) / 100 : 0,
  };
}

/** `inner`, with each schedule that runs to its end reported to `add` as its class's key. */
export function countingClasses(inner: Strategy, add: (classKey: number) => void): Strategy {
  return {
    ...inner,
    next(run) {
      const chooser = inner.next(run);
      return chooser && recording(chooser, add);
    },
  };
}

function recording(chooser: ScheduleChooser, add: (classKey: number) => void): ScheduleChooser {
  const labels: string[] = [];
  const born: number[] = [];
  const footprints: (Footprint | undefined)[] = [];
  let abandoned = false;
  return {
    choose(ready, step) {
      const index = chooser.choose(ready, step);
      if (index === ABANDON) abandoned = true;
      else {
        labels[step] = ready[index]!.label;
        // ReadyPoint.born is the 1-based step that created the point (0 or none: before the first).
        born[step] = (ready[index]!.born ?? 0) - 1;
      }
      return index;
    },
    observe(step, footprint) {
      footprints[step] = footprint;
      chooser.observe?.(step, footprint);
    },
    finish(steps, atRest, left) {
      chooser.finish?.(steps, atRest, left);
      if (!abandoned) add(foataKey(labels.slice(0, steps), born, footprints));
    },
  };
}

/** The Foata normal form of one schedule, hashed. A step with no footprint counts as global. */
export function foataKey(labels: readonly string[], born: readonly number[], footprints: readonly (Footprint | undefined)[]): number {
  const level: number[] = [];
  const byLevel: string[][] = [];
  for (let j = 0; j < labels.length; j++) {
    let at = 0;
    const fj = footprints[j];
    for (let i = 0; i < j; i++) {
      if (level[i]! < at) continue;
      const fi = footprints[i];
      if (born[j] === i || fi === undefined || fj === undefined || !independent(fi, fj)) at = level[i]! + 1;
    }
    level.push(at);
    (byLevel[at] ??= []).push(labels[j]!);
  }
  return hash53(byLevel.map((names) => names.sort().join("\n")).join("\n\n"));
}
