import { PROBE, type ExploreResult, type Failure } from "../explore/explore.ts";
import { writeFailure, type RecordedFailure } from "../explore/recordFailure.ts";
import type { ScheduleResult } from "../explore/runSchedule.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { Checkpoint, ExploreJob, ExploreOutcome, WorldSpec } from "./jobs.ts";
import type { Interrupt } from "../interrupt.ts";
import type { Limits } from "./limits.ts";
import { postMortem, type StoppedRun } from "./postMortem.ts";
import { runJobWatched, runSandboxed, type Fault } from "./Sandbox.ts";
import { shrinkFault } from "./shrinkFault.ts";
import { runSeed } from "../scheduler/strategies/random.ts";

/** An exploration that may have been stopped by its sandbox. */
export interface WatchedOutcome extends ExploreOutcome {
  /** Set when the sandbox stopped the exploration (the run at fault is among `recorded`). */
  readonly stopped?: { readonly fault: Fault; readonly note: string };
}

/**
 * Runs an exploration job (see jobs.ts) watched: in a sandbox for a user's runner, in process
 * for racelab's own. When the sandbox stops it, what the exploration had found is still
 * reported: the schedule that never returned becomes a `runner-timeout` (or `runner-oom`)
 * failure, written with its reports; failures found before are written too, as found when
 * they could not be shrunk.
 */
export async function exploreWatched(job: ExploreJob, limits: Limits, onCheckpoint?: (c: Checkpoint) => void, interrupt?: Interrupt): Promise<WatchedOutcome> {
  const done = await runJobWatched(job, limits, onCheckpoint, interrupt);
  if (done.outcome) return done.outcome;
  return recover(job, done.fault, limits);
}

async function recover(job: ExploreJob, fault: Fault, limits: Limits): Promise<WatchedOutcome> {
  const run: StoppedRun = { scenario: job.scenario, runner: job.runner, world: job.world, maxSteps: job.maxSteps };
  const recorded: RecordedFailure[] = [];
  const found: Failure[] = [];
  let explored: Extract<(typeof fault.checkpoints)[number], { phase: "explored" }> | undefined;
  for (const c of fault.checkpoints) {
    if (c.phase === "found") found.push(c.failure);
    else if (c.phase === "explored") explored = c;
    else if (c.phase === "recorded") recorded.push(c.recorded);
  }
  if (fault.kind === "load") {
    // Nothing ran: the module itself never finished loading.
    throw new (await import("../errors.ts")).InputError(
      `runner module '${job.runner}' did not finish loading within ${fault.limit} ms (its top-level code, or create(port) on racelab's check, never returned); raise RACELAB_LOAD_TIMEOUT_MS if it really takes that long`,
    );
  }
  const record = job.record;
  const write = (result: ScheduleResult, schedule: number, scenario: Scenario = job.scenario) =>
    record
      ? writeFailure({ scenario, runner: job.runner, world: job.world, strategy: job.strategy.name, seed: record.seed, run: schedule, maxSteps: job.maxSteps, result, out: record.out })
      : undefined;

  if (!explored) {
    // Stopped while exploring: the schedule that ran last never came back (the strategy's probe
    // schedule, which always releases the oldest point, counts as schedule 0).
    const probe = fault.last?.schedule === PROBE;
    const last = Math.max(0, fault.last?.schedule ?? 0);
    const stuckRun = { ...run, randomSeed: runSeed(job.strategy.options.seed, fault.last?.schedule ?? 0) };
    const stuck = await postMortem(stuckRun, fault, limits);
    const failures = [...found.filter((f) => f.run < last), { run: last, result: stuck, violations: stuck.violations }];
    for (const f of failures) {
      if (f.result !== stuck || !record?.shrink) {
        const written = write(f.result, f.run);
        if (written) recorded.push(written);
        continue;
      }
      // The run that never came back is shrunk the way such runs can be: fewer client actions.
      const shrunk = await shrinkFault(stuckRun, stuck, limits);
      recorded.push(
        writeFailure({
          scenario: shrunk.scenario,
          runner: job.runner,
          world: job.world,
          strategy: job.strategy.name,
          seed: record.seed,
          run: f.run,
          maxSteps: job.maxSteps,
          result: shrunk.result,
          out: record.out,
          shrinkInfo: { original: shrunk.original, shrunk: shrunk.shrunk, attempts: shrunk.attempts },
        }),
      );
    }
    const result = partialResult(failures, last + 1);
    const where = probe ? "in its first schedule (the probe that sizes the scenario)" : `at schedule #${last}`;
    const note = `the exploration stopped ${where}: a step did not return, so no later schedule ran`;
    return { result, recorded, stopped: { fault, note } };
  }

  // Stopped while shrinking a failure: it and the ones after it are written as found.
  const result = explored.result;
  // The failure being shrunk when the sandbox stopped is the one of the last "record" checkpoint.
  const records = fault.checkpoints.filter((c) => c.phase === "record");
  const stoppedAt = records.length > 0 ? records[records.length - 1]!.index : recorded.length;
  for (let index = stoppedAt; index < result.failures.length; index++) {
    const f = result.failures[index]!;
    const again = await runSandboxed({ kind: "schedule", ...run, randomSeed: runSeed(job.strategy.options.seed, f.run), chooser: { kind: "replay", choices: f.result.choices } }, limits);
    const written = write(again.outcome?.result ?? f.result, f.run);
    if (written) recorded.push(written);
  }
  const note = `shrinking failure #${stoppedAt + 1} stopped: a candidate schedule did not return within ${fault.limit} ${fault.kind === "oom" ? "MiB" : "ms"}; it and the failures after it are written as found`;
  return {
    result,
    ...(explored.strategySummary && { strategySummary: explored.strategySummary }),
    ...(explored.judged && { judged: explored.judged }),
    recorded,
    stopped: { fault, note },
  };
}

/** What is known of an exploration the sandbox stopped after `schedules` schedules. */
function partialResult(failures: readonly Failure[], schedules: number): ExploreResult {
  return {
    stats: {
      schedules,
      abandoned: 0,
      distinctSchedules: schedules,
      distinctEndStates: 0,
      steps: { min: 0, avg: 0, max: 0 },
      preemptions: { total: 0, avg: 0, max: 0 },
    },
    schedulesRun: schedules,
    failures,
    traceHash: "(stopped)",
    exhausted: false,
  };
}

/** A world spec from the names a command was given. */
export function worldSpec(observer: string | undefined, transport: "inproc" | "http" | undefined, granularity: "step" | "suspend" | undefined, hasRun: boolean): WorldSpec {
  return { ...(hasRun && observer && { observer }), ...(transport && { transport }), ...(granularity && granularity !== "step" && { granularity }) };
}
