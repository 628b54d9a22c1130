import { createHash } from "node:crypto";
import { Piscina } from "piscina";
import { workerEntry } from "../../boundaries/loaders/workerEntry.ts";
import type { WorldSpec } from "../sandbox/jobs.ts";
import { replayChooser } from "../scheduler/strategies/replay.ts";
import { dfs } from "../scheduler/strategies/dfs.ts";
import { runSeed } from "../scheduler/strategies/random.ts";
import type { StrategyOptions, StrategySummary } from "../scheduler/strategies/Strategy.ts";
import { explore, type ExploreOptions, type ExploreResult, type Failure } from "./explore.ts";
import { exploreSubtreeWith, type SubtreeOutcome, type SubtreeTask } from "./dfsSubtree.ts";
import { FingerprintSet } from "./FingerprintSet.ts";
import { explainByRerun, runSchedule } from "./runSchedule.ts";

/** A split search aims at this many subtrees (whatever the number of workers, so the tree is the same). */
export const SPLIT_SUBTREES = 8;
/** The split depth is searched up to this many steps. */
const MAX_SPLIT_DEPTH = 64;
/** Prefixes enumerated at one depth at most; a depth with more keeps the depth before it. */
const MAX_PREFIXES = 4096;

const WORKER = workerEntry(new URL("./dfsWorker", import.meta.url), import.meta.url);

/** What the split search needs besides the loaded options: the runner and world by name, for the worker threads. */
export interface SplitSpec {
  readonly runner: string;
  readonly world: WorldSpec;
  readonly strategy: StrategyOptions;
  readonly workers: number;
}

/**
 * The first steps of every schedule within the preemption bound, enumerated by plain DFS over
 * runs cut at a depth: the smallest depth with at least {@link SPLIT_SUBTREES} prefixes (or at
 * which every run has ended). Each prefix roots one subtree.
 */
export async function splitPrefixes(options: ExploreOptions, strategy: StrategyOptions): Promise<string[][]> {
  let previous: string[][] = [[]];
  for (let depth = 1; depth <= MAX_SPLIT_DEPTH; depth++) {
    const prefixes: string[][] = [];
    let cut = false;
    const result = await explore({
      scenario: options.scenario,
      runner: options.runner,
      strategy: dfs({ seed: strategy.seed, preemptions: strategy.preemptions, reduction: false }),
      invariants: [],
      runs: MAX_PREFIXES,
      maxSteps: depth,
      keepGoing: true,
      concurrency: 1,
      seed: strategy.seed,
      ...(options.world && { world: options.world }),
      onSchedule: (r) => {
        prefixes.push([...r.choices]);
        if (r.end.limitHit) cut = true;
      },
    });
    if (!result.exhausted) return previous;
    if (prefixes.length >= SPLIT_SUBTREES || !cut) return prefixes;
    previous = prefixes;
  }
  return previous;
}

/**
 * Exhaustive search split over worker threads (`explore --strategy dfs --workers N`). The tree
 * is cut at the prefixes of {@link splitPrefixes}: the levels above the cut are explored
 * without reduction (every alternative is a subtree of its own), and each subtree is explored
 * by source-DPOR with sleep sets from an empty sleep set, which is complete for its root, so
 * the union is sound. Subtrees are independent: their results are merged in prefix order, so
 * the schedules, their numbers, the failures kept and the hash are the same for any number of
 * workers (1 runs the same split search in this thread). Compared with the unsplit search it
 * explores the same end states and invariants in somewhat more schedules: no reduction above
 * the cut, and no sleep sets across subtrees.
 */
export async function exploreDfsSplit(options: ExploreOptions, spec: SplitSpec): Promise<{ result: ExploreResult; summary: StrategySummary }> {
  const prefixes = await splitPrefixes(options, spec.strategy);
  const task = (prefix: readonly string[], runs: number): SubtreeTask => ({
    scenario: options.scenario,
    runner: spec.runner,
    world: spec.world,
    options: { ...spec.strategy, prefix },
    runs,
    maxSteps: options.maxSteps,
    keepGoing: options.keepGoing,
  });
  const inThread = (prefix: readonly string[], runs: number) =>
    exploreSubtreeWith({ ...options, options: { ...spec.strategy, prefix }, runs });
  const pool = spec.workers > 1 ? new Piscina<SubtreeTask, SubtreeOutcome>({ ...WORKER, minThreads: spec.workers, maxThreads: spec.workers }) : undefined;
  try {
    // Every subtree is handed out at once with the whole budget; merging takes them in order.
    const pending = prefixes.map((prefix) => (pool ? pool.run(task(prefix, options.runs)) : undefined));
    // A search that stops early destroys the pool under the subtrees it no longer needs.
    for (const p of pending) p?.catch(() => {});
    const outcome = async (i: number, runs: number): Promise<SubtreeOutcome> =>
      runs === options.runs && pending[i] ? pending[i]! : inThread(prefixes[i]!, runs);
    return await merge(options, prefixes, outcome, spec);
  } finally {
    await pool?.destroy();
  }
}

async function merge(
  options: ExploreOptions,
  prefixes: readonly (readonly string[])[],
  outcome: (i: number, runs: number) => Promise<SubtreeOutcome>,
  spec: SplitSpec,
): Promise<{ result: ExploreResult; summary: StrategySummary }> {
  const hash = createHash("sha256");
  const kept: { run: number; local: number; choices: readonly string[] }[] = [];
  const seen = new Set<string>();
  const endStates = new FingerprintSet();
  const steps = { min: Number.POSITIVE_INFINITY, max: 0, total: 0 };
  const preemptions = { total: 0, max: 0 };
  let schedules = 0;
  let abandoned = 0;
  let skipped = 0;
  let exhausted = true;
  let subtrees = 0;
  for (let i = 0; i < prefixes.length; i++) {
    let out = await outcome(i, options.runs);
    // The budget ends inside this subtree: explore it again with what is left, exactly.
    if (schedules + out.schedulesRun > options.runs) out = await outcome(i, options.runs - schedules);
    subtrees += 1;
    hash.update(`${out.traceHash}\n`);
    for (const f of out.failures) {
      const key = [...new Set(f.invariants)].sort().join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      kept.push({ run: schedules + f.run, local: f.run, choices: f.choices });
    }
    for (const e of out.endStates) endStates.add(e);
    if (out.schedulesRun > 0) steps.min = Math.min(steps.min, out.steps.min);
    steps.max = Math.max(steps.max, out.steps.max);
    steps.total += out.steps.total;
    preemptions.total += out.preemptions.total;
    preemptions.max = Math.max(preemptions.max, out.preemptions.max);
    schedules += out.schedulesRun;
    abandoned += out.abandoned;
    skipped += out.skipped;
    if (!out.exhausted) exhausted = false;
    if ((!options.keepGoing && kept.length > 0) || schedules >= options.runs || !out.exhausted) {
      if (i < prefixes.length - 1) exhausted = false;
      break;
    }
  }
  const failures: Failure[] = [];
  for (const k of kept) failures.push(await explained(options, spec.strategy.seed, k));
  const round = (x: number) => Math.round(x * 100) / 100;
  const result: ExploreResult = {
    stats: {
      schedules,
      abandoned,
      distinctSchedules: schedules,
      distinctEndStates: endStates.size,
      steps: { min: schedules ? steps.min : 0, avg: schedules ? round(steps.total / schedules) : 0, max: steps.max },
      preemptions: { total: preemptions.total, avg: schedules ? round(preemptions.total / schedules) : 0, max: preemptions.max },
    },
    schedulesRun: schedules,
    failures,
    traceHash: hash.digest("hex").slice(0, 16),
    exhausted,
  };
  const bound = spec.strategy.preemptions;
  const reduced = spec.strategy.reduction === false ? "" : `; source-DPOR with sleep sets in each subtree abandoned ${abandoned} redundant schedules and skipped ${skipped} sleeping alternatives`;
  const split = `split into ${prefixes.length} subtrees at depth ${prefixes[0]?.length ?? 0}, ${spec.workers} worker${spec.workers === 1 ? "" : "s"}`;
  const summary: StrategySummary = {
    text: exhausted
      ? `DFS complete: all ${schedules} schedules with at most ${bound} preemptions explored (${split})${reduced}`
      : `DFS cut after ${schedules} schedules in ${subtrees} of ${prefixes.length} subtrees (at most ${bound} preemptions, ${split}); not complete${reduced}`,
    complete: exhausted,
    schedules,
    preemptionBound: bound,
    reduction: spec.strategy.reduction !== false,
    abandoned,
    skipped,
    subtrees: prefixes.length,
    workers: spec.workers,
  };
  return { result, summary };
}

/** A kept failure run again here, with its steps, so that its violations get their causes. */
async function explained(options: ExploreOptions, seed: number, k: { run: number; local: number; choices: readonly string[] }): Promise<Failure> {
  const randomSeed = runSeed(seed, k.local);
  const spec = { scenario: options.scenario, runner: options.runner, invariants: options.invariants, maxSteps: options.maxSteps, world: options.world, randomSeed };
  const first = await runSchedule({ ...spec, chooser: replayChooser(k.choices) });
  const result = await explainByRerun(spec, first);
  return { run: k.run, result, violations: result.violations, randomSeed };
}

