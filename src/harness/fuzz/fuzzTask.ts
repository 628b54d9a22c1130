import { explore } from "../explore/explore.ts";
import { NotFailing, SHRINKING, shrinkFailure } from "../explore/shrink.ts";
import { sizeOf, type ScheduleSize } from "../explore/shrinkSize.ts";
import { didNotRepeat, runAgainStrictly } from "../explore/selfCheck.ts";
import type { Failure } from "../explore/explore.ts";
import type { ScheduleResult } from "../explore/runSchedule.ts";
import type { Invariant, Violation } from "../invariants/Invariant.ts";
import type { WorldOptions } from "../scenario/createWorld.ts";
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
  /** Its distinct failures, one per signature, in the order the exploration met them (empty: it passed). */
  readonly failures: readonly FuzzFailure[];
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
 * Steps that shrinking may spend per step the exploration ran: with 2, a scenario that fails
 * costs at most about three times one that passes, so a buggy runner keeps most of a fixed
 * runner's breadth (schedules/s) instead of spending the campaign on shrinking.
 */
export const SHRINK_STEPS_PER_EXPLORED_STEP = 2;

/**
 * Generates the task's scenario and explores it with the default strategy for the whole
 * budget, going on after failures, so every invariant is checked on every schedule. Its
 * failures are grouped by signature (one race seen through several invariants is one), and
 * each group is shrunk separately on its own invariant (scenario and schedule), within a
 * step budget shared by the groups ({@link SHRINK_STEPS_PER_EXPLORED_STEP}); a group the
 * budget no longer covers is reported as found. Deterministic in the task alone: the same
 * task gives the same outcome on any thread of any machine.
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
    keepGoing: true,
    concurrency: 1,
    world,
    ...(recorder && { recorder }),
  });
  const steps = Math.round(result.stats.steps.avg * result.schedulesRun);
  const groups = bySignature(result.failures, scenario);
  let left = SHRINK_STEPS_PER_EXPLORED_STEP * steps;
  const failures: FuzzFailure[] = [];
  const signatures = new Set<string>();
  for (let g = 0; g < groups.length; g++) {
    const { found, invariant } = groups[g]!;
    const share = Math.floor(left / (groups.length - g));
    const shrunk = await shrinkGroup({ scenario, runner, invariants, world, seed, found, invariant, maxSteps: task.maxSteps, stepBudget: share, ...(recorder && { recorder }) });
    left -= shrunk.steps;
    // Two groups may shrink to one race: it is reported once.
    if (signatures.has(shrunk.failure.signature)) continue;
    signatures.add(shrunk.failure.signature);
    failures.push(shrunk.failure);
  }
  return { index: task.index, scenario: scenario.name, features: describeFeatures(features), schedules: result.schedulesRun, steps, failures };
}

/** One race of a scenario: the first failing schedule that showed it, and the invariant it is shrunk on. */
interface Group {
  readonly found: Failure;
  readonly invariant: string;
}

/**
 * The exploration's failures as races to shrink, in order of first sight: each violation of
 * an invariant no earlier group covers joins the group of its signature, or starts one. So
 * every invariant the scenario violates is shown (a consequence hidden behind another
 * failure surfaces), one race seen through several invariants is shrunk once, and the
 * schedules that show an invariant again through another interleaving add nothing.
 */
function bySignature(found: readonly Failure[], scenario: Scenario): Group[] {
  const groups = new Map<string, Group>();
  const covered = new Set<string>();
  for (const failure of found) {
    for (const v of failure.violations) {
      if (covered.has(v.invariant)) continue;
      covered.add(v.invariant);
      const signature = interleavingSignature(v, scenario);
      if (!groups.has(signature)) groups.set(signature, { found: failure, invariant: v.invariant });
    }
  }
  return [...groups.values()];
}

interface GroupInput {
  readonly scenario: Scenario;
  readonly runner: RunnerVariant;
  readonly invariants: readonly Invariant[];
  readonly world: WorldOptions;
  readonly seed: number;
  readonly found: Failure;
  readonly invariant: string;
  readonly maxSteps: number;
  readonly stepBudget: number;
  readonly recorder?: FlightRecorder;
}

/**
 * Checks that the group's failing schedule repeats, then shrinks it on the group's invariant
 * within its step budget. A schedule that does not repeat is a nondeterminism finding,
 * reported as found (there is nothing stable to shrink).
 */
async function shrinkGroup(input: GroupInput): Promise<{ failure: FuzzFailure; steps: number }> {
  const { scenario, runner, invariants, world, found, invariant, recorder } = input;
  const randomSeed = runSeed(input.seed, found.run);
  const spec = { scenario, runner, invariants, maxSteps: input.maxSteps, world, randomSeed, ...(recorder && { record: { recorder, slot: 0, schedule: SHRINKING } }) };
  const differs = await runAgainStrictly(spec, found.result, "the failing schedule");
  const again = found.result.end.steps;
  if (differs) return { failure: asFound(found.result, [differs, ...found.result.violations], scenario, found.run, randomSeed), steps: again };
  const shrunk = await shrinkFailure({
    scenario,
    runner,
    invariants,
    primary: invariant,
    maxSteps: input.maxSteps,
    choices: found.result.choices,
    world,
    budget: 1000,
    searchBudget: 300,
    stepBudget: input.stepBudget,
    ...(recorder && { recorder }),
    randomSeed,
  }).catch((error: unknown) => {
    if (!(error instanceof NotFailing)) throw error;
    return error;
  });
  if (shrunk instanceof NotFailing) {
    return { failure: asFound(found.result, [didNotRepeat(invariant, "the failing schedule", found.result.end.steps), ...found.result.violations], scenario, found.run, randomSeed), steps: again };
  }
  const run = shrunk.full;
  return {
    steps: again + shrunk.steps + run.end.steps,
    failure: {
      invariant,
      invariants: [...new Set(run.violations.map((v) => v.invariant))],
      signature: interleavingSignature(run.violations.find((v) => v.invariant === invariant) ?? run.violations[0]!, shrunk.scenario),
      scenario: shrunk.scenario,
      choices: run.choices,
      run: found.run,
      randomSeed,
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
