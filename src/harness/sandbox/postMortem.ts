import type { ScheduleResult } from "../explore/runSchedule.ts";
import { resolveInvariants } from "../resolve.ts";
import type { Scenario } from "../scenario/schema.ts";
import { actorOf } from "../scheduler/VirtualScheduler.ts";
import type { RunEnd, RunFault } from "../trace.ts";
import type { WorldSpec } from "./jobs.ts";
import type { Limits } from "./limits.ts";
import { runSandboxed, type Fault } from "./Sandbox.ts";
import { explainViolations } from "../explain/explainViolations.ts";

/** What a stopped run was: enough to run its prefix again. */
export interface StoppedRun {
  readonly scenario: Scenario;
  readonly runner: string;
  readonly world: WorldSpec;
  readonly maxSteps: number;
  /** Seed of its virtualised randomness (see ScheduleSpec.randomSeed). */
  readonly randomSeed?: number;
}

/**
 * Turns a sandbox that never came back into a finding a person can read and replay: replays,
 * in a fresh sandbox, the ready-set indices the stopped schedule released up to the step that
 * never returned, stops before that step, and returns that run with the step appended to its
 * choices and the fault at its end (so `runner-timeout` or `runner-oom` fails on it, with the
 * step's label and actor). A replay of the result releases the same step and stops the same way.
 */
export async function postMortem(run: StoppedRun, fault: Fault, limits: Limits): Promise<ScheduleResult> {
  const indices = fault.last?.indices ?? [];
  const stuck = indices.length - 1;
  const kind = fault.kind === "oom" ? "oom" : "timeout";
  if (stuck < 0) return faulted(empty(), { kind, step: 0, label: "", actor: "", limit: fault.limit }, run.scenario);
  const again = await runSandboxed(
    { kind: "schedule", scenario: run.scenario, runner: run.runner, world: run.world, maxSteps: run.maxSteps, chooser: { kind: "indices", indices, stopAt: stuck } },
    limits,
  );
  if (again.fault || !again.outcome.stoppedAt) {
    // The prefix itself did not come back this time: the run is not deterministic. Report the
    // fault at the step this second run reached, which is the best evidence there is.
    const second = again.fault?.last?.indices.length ?? 0;
    return faulted(empty(), { kind, step: second, label: `(a step the second run reached; the first stopped at step ${stuck + 1})`, actor: "", limit: fault.limit }, run.scenario);
  }
  const label = again.outcome.stoppedAt[indices[stuck]!] ?? again.outcome.stoppedAt[0]!;
  const prefix = again.outcome.result;
  return faulted({ ...prefix, choices: [...prefix.choices, label], abandoned: false }, { kind, step: stuck + 1, label, actor: actorOf(label), limit: fault.limit }, run.scenario);
}

function empty(): ScheduleResult {
  return { choices: [], trace: [], end: { atRest: false, steps: 0, limitHit: false, maxSteps: 0, pendingCalls: [] }, violations: [], preemptions: 0, abandoned: false };
}

/** The run with its fault: not at rest, so liveness is not judged; the fault's own invariant fails. */
function faulted(result: ScheduleResult, fault: RunFault, scenario: Scenario): ScheduleResult {
  const end: RunEnd = { ...result.end, atRest: false, steps: fault.step, labels: result.choices, fault };
  const checked = resolveInvariants(scenario)
    .filter((inv) => !inv.liveness)
    .flatMap((inv) => inv.check(result.trace, end));
  // The step that never returned is the last of the chain: it read and wrote nothing racelab saw.
  const prefix = result.steps ?? [];
  const steps = fault.step === prefix.length + 1 ? [...prefix, { step: fault.step, label: fault.label, actor: fault.actor, born: 0, reads: [], writes: [], global: false }] : prefix;
  return { ...result, end, violations: explainViolations(checked, { trace: result.trace, steps }), steps };
}
