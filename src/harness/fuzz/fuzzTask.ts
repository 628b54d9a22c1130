import { explore } from "../explore/explore.ts";
import { NotFailing, SHRINKING, sizeOf, shrinkFailure, type ScheduleSize } from "../explore/shrink.ts";
import { didNotRepeat, runAgainStrictly } from "../explore/selfCheck.ts";
import type { ScheduleResult } from "../explore/runSchedule.ts";
import type { Violation } from "../invariants/Invariant.ts";
import type { RunnerVariant } from "../../boundaries/port.ts";
import { loadRunner, resolveInvariants, resolveStrategy, loadWorld } from "../resolve.ts";
import type { Scenario } from "../scenario/schema.ts";
import { STRATEGY_DEFAULTS } from "../scheduler/strategies/Strategy.ts";
import { describeFeatures } from "./features.ts";
import { interleavingSignature } from "./interleavingSignature.ts";
import { recordedViolations, type RecordedViolation } from "../explore/scheduleFile.ts";
import { generateScenario } from "./swarmScenario.ts";
import { runSeed } from "../scheduler/strategies/random.ts";
import { FlightRecorder } from "../sandbox/flightRecorder.ts";

/** One unit of fuzzing work: the index-th scenario of a campaign. Plain data (crosses threads). */
export interface FuzzTask {
  readonly seed: number;
  readonly index: number;
  /** `--runner`: a built-in name or a module path (absolute, so a worker resolves it alike). */
  readonly runner: string;
  readonly observer: string;
  /** Schedules to explore per scenario. */
  readonly budget: number;
  readonly maxSteps: number;
  /** The task's flight recorder (see FlightRecorder): its heartbeat is the campaign's watchdog. */
  readonly recorder?: SharedArrayBuffer;
}

/** A failure of one scenario, shrunk. Plain data. */
export interface FuzzFailure {
  /** The invariant it was shrunk on; the first of `invariants`. */
  readonly invariant: string;
  readonly invariants: readonly string[];
  /** The causal shape of its race, `race@<hash>` or `<invariant>@<hash>` (see interleavingSignature): deduplicates failures across scenarios. */
  readonly signature: string;
  /** The shrunk scenario and schedule (replay strictly). */
  readonly scenario: Scenario;
  readonly choices: readonly string[];
  /** Schedule number within the scenario's exploration. */
  readonly run: number;
  /** Seed of the run's virtualised randomness (recorded in its schedule file). */
  readonly randomSeed: number;
  readonly original: ScheduleSize;
  readonly shrunk: ScheduleSize;
  readonly violations: readonly RecordedViolation[];
}

/** What one task found. Plain data. */
export interface FuzzOutcome {
  readonly index: number;
  readonly scenario: string;
  readonly features: string;
  readonly schedules: number;
  readonly steps: number;
  readonly failure?: FuzzFailure;
}

/** A task's heartbeat once a worker has taken it up, before its runner and world are loaded. */
export const TASK_STARTED = 1;

/** The exploration seed of a campaign's index-th scenario (a 32-bit mix, same everywhere). */
export function taskSeed(seed: number, index: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

const runners = new Map<string, Promise<RunnerVariant>>();

/**
 * Generates the task's scenario, explores it with the default strategy, and shrinks the
 * first failure (scenario and schedule). Deterministic in the task alone: the same task
 * gives the same outcome on any thread of any machine.
 */
export async function runFuzzTask(task: FuzzTask): Promise<FuzzOutcome> {
  const recorder = task.recorder ? new FlightRecorder(0, 0, task.recorder) : undefined;
  // The task's first heartbeat (TASK_STARTED): a worker has taken it up. Until then it waits in
  // the pool's queue, which is no runner's doing.
  recorder?.beat();
  let runnerPromise = runners.get(task.runner);
  if (!runnerPromise) {
    runnerPromise = loadRunner(task.runner);
    runners.set(task.runner, runnerPromise);
  }
  const runner = await runnerPromise;
  const { scenario, features } = generateScenario(task.seed, task.index);
  const invariants = resolveInvariants(scenario);
  const world = await loadWorld(scenario, task.observer, "inproc");
  const seed = taskSeed(task.seed, task.index);
  const result = await explore({
    seed,
    scenario,
    runner,
    strategy: resolveStrategy("portfolio", { ...STRATEGY_DEFAULTS, seed }),
    invariants,
    runs: task.budget,
    maxSteps: task.maxSteps,
    keepGoing: false,
    concurrency: 1,
    world,
    ...(recorder && { recorder }),
  });
  const base = {
    index: task.index,
    scenario: scenario.name,
    features: describeFeatures(features),
    schedules: result.schedulesRun,
    steps: Math.round(result.stats.steps.avg * result.schedulesRun),
  };
  const found = result.failures[0];
  if (!found) return base;
  const primary = found.violations[0]!.invariant;
  const randomSeed = runSeed(seed, found.run);
  // The determinism self-check, as explore does it: a failure that does not repeat is a
  // nondeterminism finding, reported as found (there is nothing stable to shrink).
  const spec = { scenario, runner, invariants, maxSteps: task.maxSteps, world, randomSeed, ...(recorder && { record: { recorder, slot: 0, schedule: SHRINKING } }) };
  const differs = await runAgainStrictly(spec, found.result, "the failing schedule");
  if (differs) return { ...base, failure: asFound(found.result, [differs, ...found.result.violations], scenario, found.run, randomSeed) };
  const shrunk = await shrinkFailure({
    scenario,
    runner,
    invariants,
    primary,
    maxSteps: task.maxSteps,
    choices: found.result.choices,
    world,
    budget: 1000,
    searchBudget: 300,
    ...(recorder && { recorder }),
    randomSeed,
  }).catch((error: unknown) => {
    if (!(error instanceof NotFailing)) throw error;
    return error;
  });
  if (shrunk instanceof NotFailing) {
    return { ...base, failure: asFound(found.result, [didNotRepeat(primary, "the failing schedule", found.result.end.steps), ...found.result.violations], scenario, found.run, randomSeed) };
  }
  const run = shrunk.full;
  return {
    ...base,
    failure: {
      invariant: primary,
      invariants: [...new Set(run.violations.map((v) => v.invariant))],
      signature: interleavingSignature(run.violations.find((v) => v.invariant === primary) ?? run.violations[0]!, shrunk.scenario),
      scenario: shrunk.scenario,
      choices: run.choices,
      run: found.run,
      randomSeed: runSeed(seed, found.run),
      original: shrunk.original,
      shrunk: sizeOf(shrunk.scenario, run),
      violations: recordedViolations(run.violations),
    },
  };
}

/** A failure reported as found, unshrunk (a nondeterminism finding). */
function asFound(result: ScheduleResult, violations: readonly Violation[], scenario: Scenario, run: number, randomSeed: number): FuzzFailure {
  const primary = violations[0]!;
  const size = sizeOf(scenario, result);
  return {
    invariant: primary.invariant,
    invariants: [...new Set(violations.map((v) => v.invariant))],
    signature: interleavingSignature(primary, scenario),
    scenario,
    choices: result.choices,
    run,
    randomSeed,
    original: size,
    shrunk: size,
    violations: recordedViolations(violations),
  };
}
