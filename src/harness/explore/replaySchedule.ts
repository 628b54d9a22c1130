import { ReplayDivergence } from "../errors.ts";
import { resolveInvariants, loadRunner, loadWorld } from "../resolve.ts";
import { resolveLimits, type Limits } from "../sandbox/limits.ts";
import { postMortem } from "../sandbox/postMortem.ts";
import { runSandboxed, sandboxed } from "../sandbox/Sandbox.ts";
import { replayChooser } from "../scheduler/strategies/replay.ts";
import { runSeed } from "../scheduler/strategies/random.ts";
import { runSchedule, type ScheduleResult } from "./runSchedule.ts";
import type { ScheduleFile } from "./scheduleFile.ts";

/** How a replay compares with its recording. */
export type ReplayVerdict = "reproduced" | "different" | "passes";

/** A replayed schedule and its verdict. */
export interface ReplayOutcome {
  readonly result: ScheduleResult;
  readonly verdict: ReplayVerdict;
}

/**
 * Reruns a recorded schedule strictly (throws ReplayDivergence when the code no longer
 * offers a recorded choice) and says whether the recorded violation reproduces. A runner of
 * the user's runs in a sandbox: a step that never returns is a `runner-timeout` again.
 */
export async function replaySchedule(file: ScheduleFile, limits: Limits = resolveLimits()): Promise<ReplayOutcome> {
  const once = () => (sandboxed(file.runner, limits) ? replaySandboxed(file, limits) : replayHere(file));
  const result = await once().catch((error: unknown) => divergedRun(file, error, once));
  const now = new Set(result.violations.map((v) => v.invariant));
  const recorded = file.violations.map((v) => v.invariant);
  let verdict: ReplayVerdict = "passes";
  if (now.size > 0) verdict = recorded.length > 0 && recorded.every((inv) => now.has(inv)) ? "reproduced" : "different";
  return { result, verdict };
}

/**
 * A replay that left its recording. Run it again: if the code is deterministic it leaves the
 * recording the same way again (the code changed since the recording: the divergence stands,
 * exit 3); if the two replays differ, or the recording is itself a nondeterminism finding,
 * the code under test is not deterministic, and that is the finding.
 */
async function divergedRun(file: ScheduleFile, error: unknown, once: () => Promise<ScheduleResult>): Promise<ScheduleResult> {
  if (!(error instanceof ReplayDivergence)) throw error;
  const asFinding = (how: string): ScheduleResult => ({
    choices: file.choices.slice(0, error.step - 1),
    trace: [],
    violations: [{ invariant: "nondeterminism", step: error.step, message: `${how}: ${error.message.replace(/: the code under test has changed$/, "")}; the code under test does not run the same way twice on the same choices and seed` }],
    end: { atRest: false, steps: error.step - 1, limitHit: false, maxSteps: file.maxSteps, pendingCalls: [] },
    preemptions: 0,
    abandoned: false,
  });
  if (file.violations.some((v) => v.invariant === "nondeterminism")) return asFinding(`the replay went another way at step ${error.step}, as the recorded nondeterminism finding says it may`);
  const again = await once().then(
    () => undefined,
    (second: unknown) => second,
  );
  if (again instanceof ReplayDivergence && again.step === error.step && again.message === error.message) {
    throw new ReplayDivergence(`${error.message} since the file was recorded (two replays leave the recording at the same step, so it is not nondeterminism)`, error.step);
  }
  if (again !== undefined && !(again instanceof ReplayDivergence)) throw again;
  return asFinding(`two replays of the same file went different ways (the first left the recording at step ${error.step})`);
}

async function replayHere(file: ScheduleFile): Promise<ScheduleResult> {
  return runSchedule({
    scenario: file.scenario,
    runner: await loadRunner(file.runner),
    invariants: resolveInvariants(file.scenario),
    chooser: replayChooser(file.choices),
    maxSteps: file.maxSteps,
    world: await loadWorld(file.scenario, file.observer, file.transport, file.granularity),
    randomSeed: randomSeedOf(file),
  });
}

/** The seed of a recorded run's virtualised randomness. */
export function randomSeedOf(file: Pick<ScheduleFile, "randomSeed" | "seed" | "run">): number {
  return file.randomSeed ?? runSeed(file.seed, file.run);
}

async function replaySandboxed(file: ScheduleFile, limits: Limits): Promise<ScheduleResult> {
  const run = { scenario: file.scenario, runner: file.runner, world: worldSpecOf(file), maxSteps: file.maxSteps, randomSeed: randomSeedOf(file) };
  const done = await runSandboxed({ kind: "schedule", ...run, chooser: { kind: "replay", choices: file.choices } }, limits);
  return done.fault ? postMortem(run, done.fault, limits) : done.outcome.result;
}

/** A schedule file's world, by name. */
export function worldSpecOf(file: Pick<ScheduleFile, "observer" | "transport" | "granularity">) {
  return { ...(file.observer && { observer: file.observer }), ...(file.transport && { transport: file.transport }), ...(file.granularity && { granularity: file.granularity }) };
}
