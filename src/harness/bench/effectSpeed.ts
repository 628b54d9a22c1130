import { pointTimers } from "../../boundaries/adapters/runWorld.ts";
import type { RunnerVariant } from "../../boundaries/port.ts";
import { fixedDesign } from "../../subjects/runner/variants/fixed.ts";
import { explore } from "../explore/explore.ts";
import { loadRunner, resolveInvariants } from "../resolve.ts";
import { createWorld } from "../scenario/createWorld.ts";
import type { Scenario } from "../scenario/schema.ts";
import { StrategiesMap } from "../scheduler/strategies/index.ts";
import { quiescence } from "../scheduler/VirtualScheduler.ts";
import { timed } from "./measure.ts";

/** One runner explored on one scenario: speed per schedule and per controlled step. */
export interface StepCost {
  readonly schedulesPerSecond: number;
  readonly stepsPerSchedule: number;
  readonly microsPerStep: number;
}

/** The Effect reference runner beside the plain model on one scenario (both `fixed`). */
export interface EffectSpeedRow {
  readonly scenario: string;
  readonly plain: StepCost;
  readonly effect: StepCost;
  /** effect µs/step over plain µs/step (target: at most 2). */
  readonly stepRatio: number;
  /** Milliseconds per whole run of the same Effect program on Effect's own default scheduler. */
  readonly defaultSchedulerMsPerRun: number;
  /** A controlled schedule's time over a whole run on the default scheduler. */
  readonly slowdown: number;
}

/**
 * Measures, side by side in one process: racelab exploring the plain `fixed` runner and the
 * Effect `effect-fixed` runner (random strategy, same budget), as schedules/s and µs per
 * controlled step; and the same Effect program run to the end on Effect's default scheduler
 * with every racelab point resolved at once (no control, one interleaving): what a whole
 * run costs without racelab.
 */
export async function effectSpeed(scenario: Scenario, runs: number): Promise<EffectSpeedRow> {
  const plain = await stepCost(scenario, await loadRunner("fixed"), runs);
  const effect = await stepCost(scenario, await loadRunner("effect-fixed"), runs);
  // Loaded here, not at the top: `effect` is an optional peer, and the CLI must load without it.
  const { effectRunner } = await import("../../boundaries/effect/effectRunner.ts");
  const { makeServer } = await import("../../subjects/effect-runner/server.ts");
  const uncontrolled = effectRunner({ name: "effect-fixed (default scheduler)", description: "", make: makeServer(fixedDesign), uncontrolled: true });
  const { ms } = await timed(async () => {
    for (let i = 0; i < runs; i++) await runToEnd(scenario, uncontrolled);
  });
  const defaultSchedulerMsPerRun = ms / runs;
  const controlledMsPerRun = 1000 / effect.schedulesPerSecond;
  return {
    scenario: scenario.name,
    plain,
    effect,
    stepRatio: round(effect.microsPerStep / plain.microsPerStep),
    defaultSchedulerMsPerRun: round(defaultSchedulerMsPerRun, 4),
    slowdown: round(controlledMsPerRun / defaultSchedulerMsPerRun),
  };
}

async function stepCost(scenario: Scenario, runner: RunnerVariant, runs: number): Promise<StepCost> {
  const { value, ms } = await timed(() =>
    explore({ scenario, runner, strategy: StrategiesMap.random({ seed: 1 }), invariants: resolveInvariants(scenario), runs, maxSteps: 1000, keepGoing: true, concurrency: 16 }),
  );
  const steps = value.stats.steps.avg * value.schedulesRun;
  return {
    schedulesPerSecond: Math.round((value.schedulesRun / ms) * 1000),
    stepsPerSchedule: value.stats.steps.avg,
    microsPerStep: round((ms * 1000) / steps),
  };
}

/**
 * One run of a scenario with every point resolved at once, until no client call waits: what
 * the program costs on its own runtime. (Scenarios with a run command end when the command
 * has disposed the instance.)
 */
async function runToEnd(scenario: Scenario, runner: RunnerVariant): Promise<void> {
  const point = () => Promise.resolve();
  const timers = pointTimers(point);
  const world = createWorld(scenario, runner, { point, now: () => timers.now(), timers, emit: () => {} });
  world.start();
  for (let turns = 0; turns < 10_000; turns++) {
    await quiescence();
    if (world.pendingCalls().length === 0) return;
  }
  throw new Error(`bench: ${scenario.name} on ${runner.name} did not finish on the default scheduler within 10000 turns`);
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
