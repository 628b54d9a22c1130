import type { ScheduleResult } from "../explore/runSchedule.ts";
import { SHRINKING } from "../explore/shrink.ts";
import { sizeOf } from "../explore/shrinkSize.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { Limits } from "../sandbox/limits.ts";
import { postMortem } from "../sandbox/postMortem.ts";
import { runSandboxed, type Fault } from "../sandbox/Sandbox.ts";
import { STRATEGY_DEFAULTS } from "../scheduler/strategies/Strategy.ts";
import { describeFeatures } from "./features.ts";
import type { FuzzFailure, FuzzOutcome, FuzzTask } from "./fuzzTask.ts";
import { taskSeed } from "./fuzzTask.ts";
import { interleavingSignature } from "./interleavingSignature.ts";
import { recordedViolations } from "../explore/scheduleFile.ts";
import { generateScenario } from "./swarmScenario.ts";
import { runSeed } from "../scheduler/strategies/random.ts";

/**
 * What a fuzz task that never came back found. Stopped while exploring: the schedule that
 * spun (or outgrew the heap) is a `runner-timeout` (`runner-oom`) failure of its scenario,
 * reproduced by a post-mortem. Stopped while shrinking: the exploration is run again, in a
 * sandbox and without shrinking, and its failure is reported as found.
 */
export async function faultOutcome(task: FuzzTask, fault: Fault, limits: Limits): Promise<FuzzOutcome> {
  const { scenario, features } = generateScenario(task.seed, task.index);
  const base = { index: task.index, scenario: scenario.name, features: describeFeatures(features) };
  const world = scenario.run ? { observer: task.observer } : {};
  if (fault.last?.schedule === SHRINKING) {
    const again = await runSandboxed(
      {
        kind: "explore",
        scenario,
        runner: task.runner,
        world,
        strategy: { name: "portfolio", options: { ...STRATEGY_DEFAULTS, seed: taskSeed(task.seed, task.index) } },
        runs: task.budget,
        maxSteps: task.maxSteps,
        keepGoing: false,
      },
      limits,
    );
    const found = again.outcome?.result.failures[0];
    if (found) return { ...base, schedules: again.outcome!.result.schedulesRun, steps: 0, failures: [failureOf(task, found.result, found.run, scenario)] };
  }
  const run = { scenario, runner: task.runner, world, maxSteps: task.maxSteps, randomSeed: runSeed(taskSeed(task.seed, task.index), fault.last?.schedule ?? 0) };
  const stuck = await postMortem(run, fault, limits);
  const schedule = Math.max(0, fault.last?.schedule ?? 0);
  return { ...base, schedules: schedule + 1, steps: stuck.end.steps, failures: [failureOf(task, stuck, schedule, scenario)] };
}

function failureOf(task: FuzzTask, result: ScheduleResult, run: number, scenario: Scenario): FuzzFailure {
  const primary = result.violations.find((v) => v.invariant === "runner-timeout" || v.invariant === "runner-oom") ?? result.violations[0]!;
  const size = sizeOf(scenario, result);
  return {
    invariant: primary.invariant,
    invariants: [...new Set(result.violations.map((v) => v.invariant))],
    signature: interleavingSignature(primary, scenario),
    scenario,
    choices: result.choices,
    run,
    randomSeed: runSeed(taskSeed(task.seed, task.index), run),
    original: size,
    shrunk: size,
    violations: recordedViolations(result.violations),
  };
}
