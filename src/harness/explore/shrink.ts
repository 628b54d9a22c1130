import type { Invariant } from "../invariants/Invariant.ts";
import type { RunnerVariant } from "../../boundaries/port.ts";
import type { WorldOptions } from "../scenario/createWorld.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { ScheduleChooser } from "../scheduler/strategies/Strategy.ts";
import { dfs } from "../scheduler/strategies/dfs.ts";
import { portfolio } from "../scheduler/strategies/portfolio.ts";
import { actorOf } from "../scheduler/VirtualScheduler.ts";
import { smallerScenarios, withIdsOfTheirRequests } from "./smallerScenarios.ts";
import { sizeOf, smaller, type ScheduleSize } from "./shrinkSize.ts";
import { trailingCycle } from "../explain/cycle.ts";
import { runSchedule, type ScheduleResult } from "./runSchedule.ts";
import type { FlightRecorder } from "../sandbox/flightRecorder.ts";

/** Schedules searched on a smaller scenario whose carried-over schedule no longer fails, and their seed. */
const RESCUE_RUNS = 32;
const RESCUE_SEED = 0;

/** The schedule number shrink candidates are recorded as. */
export const SHRINKING = -2;

/** The schedule to shrink does not fail its invariant (any more): there is nothing to shrink. */
export class NotFailing extends Error {
  override name = "NotFailing";
  constructor(readonly invariant: string) {
    super(`the schedule does not fail ${invariant}: there is nothing to shrink`);
  }
}

/** What to shrink. */
export interface ShrinkInput {
  readonly scenario: Scenario;
  readonly runner: RunnerVariant;
  /** The invariant that must keep failing. */
  readonly invariant: Invariant;
  readonly maxSteps: number;
  /** The failing schedule: released labels, in order. */
  readonly choices: readonly string[];
  /** The run command's observer and the transport. */
  readonly world?: WorldOptions;
  /** Runs to spend at most on local edits (each candidate is one run). Default 2000. */
  readonly budget?: number;
  /**
   * Runs to spend at most on the exhaustive phase: preemption-bounded DFS of the shrunk
   * scenario, bound 0, 1, 2, ... Default 2000; 0 turns it off.
   */
  readonly searchBudget?: number;
  /**
   * Steps the candidate runs may execute in all, both phases together (default unlimited):
   * what keeps shrinking from eating a fuzz campaign's breadth on a runner that fails often.
   * The first run, which checks that the schedule fails, is always made.
   */
  readonly stepBudget?: number;
  /** In a sandbox: candidates leave their steps here, which also keeps the watchdog fed. */
  readonly recorder?: FlightRecorder;
  /** Seed of the runs' virtualised randomness: the failing run's, for every candidate. */
  readonly randomSeed?: number;
}

/** The smallest failing schedule found. */
export interface ShrinkResult {
  /** The scenario, possibly with client actions removed. */
  readonly scenario: Scenario;
  /** The shrunk run (its `choices` replay strictly). */
  readonly result: ScheduleResult;
  readonly original: ScheduleSize;
  readonly shrunk: ScheduleSize;
  /** Candidate runs tried, local edits and exhaustive phase together. */
  readonly attempts: number;
  /** Steps those runs executed. */
  readonly steps: number;
  /**
   * The largest preemption bound the exhaustive phase covered completely: no failing schedule
   * of the shrunk scenario with at most this many preemptions is smaller. -1 when none was.
   */
  readonly shortestWithin: number;
}

/**
 * Shrinks a failing interleaving while the same invariant keeps failing. A candidate is a
 * scenario plus a list of preferred labels, replayed leniently: at step i the preferred label
 * is released if it is ready, otherwise the last actor goes on (no preemption), otherwise the
 * oldest ready point. Candidates: a smaller scenario (delta debugging, see
 * smallerScenarios; where the carried-over schedule no longer fails, a short search of the
 * smaller scenario); keep only a prefix; give up one deviation from the default order;
 * delete one step. Each accepted candidate's actual run
 * becomes the new schedule, so the result always replays strictly. Sizes compare as
 * (client actions, steps, preemptions), lexicographically.
 */
export async function shrink(input: ShrinkInput): Promise<ShrinkResult> {
  const budget = input.budget ?? 2000;
  const stepBudget = input.stepBudget ?? Number.POSITIVE_INFINITY;
  let attempts = 0;
  let steps = 0;
  const spent = () => attempts >= budget || steps >= stepBudget;
  const tryRun = async (scenario: Scenario, prefs: readonly (string | undefined)[], chooser?: ScheduleChooser, ran?: (result: ScheduleResult) => void) => {
    attempts += 1;
    const result = await runSchedule({
      scenario,
      runner: input.runner,
      invariants: [input.invariant],
      chooser: chooser ?? lenient(prefs),
      maxSteps: input.maxSteps,
      // Only the run the shrinker keeps is shown: its candidates skip the causal analysis.
      explain: false,
      ...(input.world && { world: input.world }),
      ...(input.recorder && { record: { recorder: input.recorder, slot: 0, schedule: SHRINKING } }),
      ...(input.randomSeed !== undefined && { randomSeed: input.randomSeed }),
    });
    steps += result.end.steps;
    ran?.(result);
    if (result.violations.length === 0) return undefined;
    // A livelock stays the same livelock: the same actor repeating the same round.
    return loop === undefined || loopOf(result)?.key === loop.key ? result : undefined;
  };

  // Every livelock runs to the step limit, so its steps cannot shrink: what can is the way
  // into the loop. Its size counts the steps before the loop began instead.
  let loop: Loop | undefined;
  const measure = (scenario: Scenario, result: ScheduleResult): ScheduleSize => {
    const size = sizeOf(scenario, result);
    return loop === undefined ? size : { ...size, steps: loopOf(result)?.from ?? size.steps };
  };
  const first = await tryRun(input.scenario, input.choices);
  if (!first) throw new NotFailing(input.invariant.name);
  if (input.invariant.name === "livelock") loop = loopOf(first);
  let best = { scenario: input.scenario, result: first };
  const original = sizeOf(best.scenario, best.result);

  const accept = async (scenario: Scenario, prefs: readonly (string | undefined)[]): Promise<boolean> => {
    if (spent()) return false;
    const result = await tryRun(scenario, prefs);
    if (!result || !smaller(measure(scenario, result), measure(best.scenario, best.result))) {
      return false;
    }
    best = { scenario, result };
    return true;
  };

  /**
   * Up to RESCUE_RUNS schedules of `scenario`: the default order, then the default
   * strategy's (PCT at depth 2 and 3, random), sized by the first; accepts the first that
   * fails, if it is smaller.
   */
  const rescue = async (scenario: Scenario): Promise<boolean> => {
    const search = portfolio({ seed: RESCUE_SEED });
    for (let r = 0; r < RESCUE_RUNS && !spent(); r++) {
      const result = await tryRun(scenario, [], r === 0 ? undefined : search.next(r - 1)!, (probe) =>
        search.prepare?.({ steps: probe.end.steps, actors: new Set(probe.choices.map(actorOf)).size }),
      );
      if (!result) continue;
      if (!smaller(measure(scenario, result), measure(best.scenario, best.result))) return false;
      best = { scenario, result };
      return true;
    }
    return false;
  };

  const localEdits = async (): Promise<void> => {
    let progress = true;
    while (progress && !spent()) {
      progress = false;
      // 1. A smaller scenario (delta debugging: sessions, chunks of client actions, replies,
      // tool calls). The schedule is carried over leniently; where it no longer fails (the
      // labels it prefers are gone), a short search of the smaller scenario (see rescue) looks
      // for a schedule that still fails the invariant.
      for (const scenario of smallerScenarios(best.scenario)) {
        if (spent()) break;
        if ((await accept(scenario, best.result.choices)) || (await rescue(scenario))) {
          progress = true;
          break;
        }
      }
      // 2. The shortest prefix that still fails, then the default order.
      const choices = best.result.choices;
      for (let length = 0; length < choices.length; length++) {
        if (await accept(best.scenario, choices.slice(0, length))) {
          progress = true;
          break;
        }
      }
      // 3. Give up one deviation at a time (fewer preemptions), 4. delete one step at a time.
      for (const edit of [undeviate, deleteAt]) {
        for (let i = best.result.choices.length - 1; i >= 0; i--) {
          const prefs = edit(best.result.choices, i);
          if (await accept(best.scenario, prefs)) progress = true;
        }
      }
    }
  };
  await localEdits();

  // 5. Local edits cannot jump to a different way of failing that is shorter (torn-read fails
  // in 28 steps one way and 21 another). Search the shrunk scenario exhaustively, fewest
  // preemptions first, and keep the smallest failing schedule.
  let shortestWithin = -1;
  let searchLeft = input.searchBudget ?? 2000;
  let previousSpace = -1;
  for (let bound = 0; searchLeft > 0 && steps < stepBudget; bound++) {
    const strategy = dfs({ seed: 0, preemptions: bound, reduction: false });
    const scenario = best.scenario;
    let improved = false;
    let space = 0;
    let chooser = strategy.next(0);
    for (; chooser && searchLeft > 0 && steps < stepBudget; chooser = strategy.next(space)) {
      searchLeft -= 1;
      space += 1;
      const result = await tryRun(scenario, [], chooser);
      if (result && smaller(measure(scenario, result), measure(best.scenario, best.result))) {
        best = { scenario, result };
        improved = true;
      }
    }
    if (improved) await localEdits();
    // A client action dropped after the search: the bounds searched were of the bigger scenario.
    if (best.scenario !== scenario) break;
    if (chooser) break; // cut by the budget

    shortestWithin = bound;
    // No schedule needed a preemption more than the last bound allowed: the whole space is searched.
    if (space === previousSpace) {
      shortestWithin = Number.POSITIVE_INFINITY;
      break;
    }
    previousSpace = space;
  }
  // Names last: client-supplied ids that still carry the number of a request that was
  // renumbered follow their request, if the schedule runs the same way with the new names.
  const renamed = withIdsOfTheirRequests(best.scenario);
  if (renamed) {
    const result = await tryRun(renamed, best.result.choices);
    if (result && equalChoices(result.choices, best.result.choices)) best = { scenario: renamed, result };
  }
  return { scenario: best.scenario, result: best.result, original, shrunk: sizeOf(best.scenario, best.result), attempts, steps, shortestWithin };
}

/** Lenient replay: the preferred label if ready, else the last actor, else the oldest ready point. */
export function lenient(prefs: readonly (string | undefined)[]): ScheduleChooser {
  let last = "";
  return {
    choose(ready, step) {
      const wanted = prefs[step];
      let index = wanted === undefined ? -1 : ready.findIndex((p) => p.label === wanted);
      if (index < 0) index = Math.max(0, ready.findIndex((p) => p.actor === last));
      last = ready[index]!.actor;
      return index;
    },
  };
}

function undeviate(choices: readonly string[], i: number): (string | undefined)[] {
  const prefs: (string | undefined)[] = [...choices];
  prefs[i] = undefined;
  return prefs;
}

function deleteAt(choices: readonly string[], i: number): string[] {
  return [...choices.slice(0, i), ...choices.slice(i + 1)];
}

/** A shrunk failure, re-run under all of its scenario's invariants so its file records every violation. */
export interface ShrunkFailure extends ShrinkResult {
  /** The strict re-run of the shrunk schedule under all invariants. */
  readonly full: ScheduleResult;
}

/**
 * Shrinks a failing schedule on the invariant it reports first, then re-runs the shrunk
 * schedule strictly under `invariants` (the scenario's full set).
 */
export async function shrinkFailure(input: Omit<ShrinkInput, "invariant"> & { invariants: readonly Invariant[]; primary: string }): Promise<ShrunkFailure> {
  const invariant = input.invariants.find((inv) => inv.name === input.primary);
  if (!invariant) throw new Error(`shrinkFailure: invariant ${input.primary} is not checked by this scenario`);
  const shrunk = await shrink({ ...input, invariant });
  const full = await runSchedule({
    scenario: shrunk.scenario,
    runner: input.runner,
    invariants: input.invariants,
    chooser: lenient(shrunk.result.choices),
    maxSteps: input.maxSteps,
    ...(input.world && { world: input.world }),
    ...(input.recorder && { record: { recorder: input.recorder, slot: 0, schedule: SHRINKING } }),
    ...(input.randomSeed !== undefined && { randomSeed: input.randomSeed }),
  });
  // The invariant it was shrunk on comes first: it names the file and drives the next shrink.
  const violations = [...full.violations].sort((a, b) => Number(b.invariant === input.primary) - Number(a.invariant === input.primary));
  return { ...shrunk, full: { ...full, violations } };
}

function equalChoices(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((label, i) => label === b[i]);
}

/** A livelock's identity (its looping actor and its round, whatever label the round starts at) and the step its loop began. */
interface Loop {
  readonly key: string;
  readonly from: number;
}

function loopOf(result: ScheduleResult): Loop | undefined {
  if (!result.end.limitHit || !result.end.labels) return undefined;
  const cycle = trailingCycle(result.end.labels);
  if (!cycle) return undefined;
  const round = cycle.labels.map((l) => l.replace(/ \(\d+\)$/, "")).sort();
  return { key: `${cycle.actor}\n${round.join("\n")}`, from: cycle.from };
}
