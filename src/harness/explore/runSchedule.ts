import { InputError, PrefixDivergence } from "../errors.ts";
import type { RunnerVariant } from "../../boundaries/port.ts";
import type { Invariant, Violation } from "../invariants/Invariant.ts";
import { createWorld, type WorldOptions } from "../scenario/createWorld.ts";
import type { Scenario } from "../scenario/schema.ts";
import { emptyFootprint } from "../scheduler/Footprint.ts";
import { ABANDON, type ScheduleChooser } from "../scheduler/strategies/Strategy.ts";
import { VirtualScheduler } from "../scheduler/VirtualScheduler.ts";
import type { RunEnd, TraceEvent } from "../trace.ts";
import { loadSdk } from "../../boundaries/sdk/sdkClients.ts";
import { collectUncaught, describeError } from "./uncaughtErrors.ts";
import { realSetImmediate, resumeSchedule, runRandom, watchUncontrolled, type Escape, type RunSources } from "./uncontrolled.ts";
import type { FlightRecorder } from "../sandbox/flightRecorder.ts";
import { StepRecorder, type RunStep } from "../explain/RunStep.ts";
import { explainViolations } from "../explain/explainViolations.ts";
import { stampEvent } from "./stampEvent.ts";

/** The request name of a runner error nothing awaited (see {@link collectUncaught}). */
export const UNCAUGHT = "(uncaught)";
/** The request name of an error the runner's create(port) threw. */
export const CREATE = "(create)";

/** What one schedule produced. */
export interface ScheduleResult {
  /** The released labels, in order: the schedule itself. */
  readonly choices: readonly string[];
  readonly trace: readonly TraceEvent[];
  readonly end: RunEnd;
  readonly violations: readonly Violation[];
  /** Steps that switched away from an actor that could have gone on. */
  readonly preemptions: number;
  /** The chooser abandoned the schedule as redundant; only safety invariants were checked. */
  readonly abandoned: boolean;
  /** Each released step: its actor, the step that made its point, what it read and wrote (the causal analysis reads them). */
  readonly steps?: readonly RunStep[];
}

/** Everything needed to run one schedule. */
export interface ScheduleSpec {
  readonly scenario: Scenario;
  readonly runner: RunnerVariant;
  readonly invariants: readonly Invariant[];
  readonly chooser: ScheduleChooser;
  /** The step limit, before the runner's `stepScale`. */
  readonly maxSteps: number;
  /** How the world is built besides scenario and runner (the run command's observer). */
  readonly world?: WorldOptions;
  /**
   * Seeds the run's virtualised randomness (Math.random, crypto): the same seed and choices
   * give the same run. Explorations derive it from their seed and the schedule's number.
   */
  readonly randomSeed?: number;
  /** In a sandbox: where this schedule leaves its steps, in case it never returns (see FlightRecorder). */
  readonly record?: { readonly recorder: FlightRecorder; readonly slot: number; readonly schedule: number };
  /**
   * Derive each violation's causal chain (default true). The shrinker's candidate runs skip
   * it: only the run it keeps is shown.
   */
  readonly explain?: boolean;
  /**
   * Record every step's footprint in this run itself (the post-mortem of a hang needs the
   * steps of a run that never finished). Otherwise only a run with violations to explain is
   * recorded, by running its schedule once more: recording costs about a fifth of a step, and
   * most runs pass.
   */
  readonly recordSteps?: boolean;
}

/** A run's step limit: `--max-steps` scaled by the runner's points per plain-model point. */
export function stepLimit(maxSteps: number, runner: RunnerVariant): number {
  return maxSteps * Math.max(1, Math.round(runner.stepScale ?? 1));
}

/**
 * Runs one schedule under the virtual scheduler: start the clients, then repeatedly wait
 * for exact quiescence and release the point the chooser picks, until nothing is ready
 * (at rest) or the step limit is hit. Then check the invariants over the trace.
 */
export async function runSchedule(spec: ScheduleSpec): Promise<ScheduleResult> {
  const result = await runOnce(spec);
  if (spec.explain === false || spec.recordSteps === true || result.violations.length === 0) return result;
  return explainByRerun(spec, result);
}

/**
 * Gives a run's violations their causal chains by running its schedule again with every
 * step recorded (same choices, same seed of its randomness). When the second run does not
 * fail the same way the code under test is nondeterministic, which the determinism
 * self-check reports; the violations are then left without chains.
 */
export async function explainByRerun(spec: Omit<ScheduleSpec, "chooser">, result: ScheduleResult): Promise<ScheduleResult> {
  if (result.steps !== undefined || !result.violations.some((v) => v.evidence && v.evidence.length > 0)) return result;
  const again = await runOnce({ ...spec, chooser: sameChoices(result.choices), recordSteps: true, explain: false });
  const verdict = (r: ScheduleResult) => r.violations.map((v) => `${v.invariant}@${v.step}`).join(",");
  if (verdict(again) !== verdict(result) || again.steps === undefined) return result;
  return { ...result, violations: explainViolations(result.violations, { trace: result.trace, steps: again.steps }), steps: again.steps };
}

/**
 * Releases the given labels in order and abandons the run where they end (an abandoned run
 * ends there too) or where a label is not offered (the code under test diverged).
 */
function sameChoices(choices: readonly string[]): ScheduleChooser {
  return {
    choose(ready, step) {
      const label = choices[step];
      const index = label === undefined ? -1 : ready.findIndex((p) => p.label === label);
      return index < 0 ? ABANDON : index;
    },
  };
}

async function runOnce(spec: ScheduleSpec): Promise<ScheduleResult> {
  // Over HTTP the clients are SDK clients: load the SDK before the run's controlled part begins.
  if (spec.world?.transport === "http") await loadSdk();
  const observe = spec.chooser.observe?.bind(spec.chooser);
  const completeFootprints = spec.runner.completeFootprints === true;
  const limit = stepLimit(spec.maxSteps, spec.runner);
  let footprint = emptyFootprint();
  const recorder = spec.recordSteps === true ? new StepRecorder() : undefined;
  let step = 0;
  const scheduler = new VirtualScheduler(
    () => {
      footprint.global = true;
      recorder?.global(true);
    },
    () => step,
    (label) => {
      if (observe) (footprint.disabled ??= []).push(label);
    },
  );
  const trace: TraceEvent[] = [];
  // Real timers are findings (see uncontrolled.ts): recorded at the step that called them.
  let escaped: Escape | undefined;
  const onEscape = (escape: Escape) => {
    if (escaped) return;
    escaped = escape;
    trace.push({ type: "uncontrolled", api: escape.api, call: escape.call, step });
  };
  const unwatch = watchUncontrolled();
  const sources: RunSources = { onEscape, now: () => scheduler.now(), random: runRandom(spec.randomSeed ?? 0) };
  resumeSchedule(sources);
  const record = spec.record;
  record?.recorder.start(record.slot, record.schedule);
  let world: ReturnType<typeof createWorld>;
  try {
    world = createWorld(spec.scenario, spec.runner, {
    point: (label, options) => scheduler.point(label, options),
    task: (label, run) => scheduler.task(label, run),
    now: () => scheduler.now(),
    timers: scheduler.timers,
    emit: (event) => {
      trace.push(stampEvent(event, step));
    },
    // Listened to only by a reducing strategy and a recorded run: a runner that is told nobody
    // listens skips the reporting.
    ...((observe || recorder) && {
      touch: (key: string, write: boolean) => {
        if (observe) (write ? footprint.writes : footprint.reads).add(key);
        recorder?.touch(key, write);
      },
    }),
  }, spec.world);
  } catch (error) {
    // A runner whose create(port) throws (after the load check passed) is a finding about it.
    resumeSchedule(undefined);
    unwatch();
    scheduler.dispose();
    // A scenario the runner cannot run (several instances, say) is bad input, not a finding.
    if (error instanceof InputError) throw error;
    trace.push({ type: "client.error", request: CREATE, error: describeError(error), step: 0 });
    const end: RunEnd = { atRest: false, steps: 0, limitHit: false, maxSteps: limit, pendingCalls: [] };
    return { choices: [], trace, end, violations: spec.invariants.flatMap((inv) => inv.check(trace, end)), preemptions: 0, abandoned: false };
  }
  // A runner that throws where nothing awaits it is a finding (runner-error), not a harness crash.
  const uncaught: unknown[] = [];
  const stopCollecting = collectUncaught(sources, (error) => uncaught.push(error));
  const reportUncaught = () => {
    if (uncaught.length === 0) return;
    for (const error of uncaught.splice(0)) trace.push({ type: "client.error", request: UNCAUGHT, error: describeError(error), step });
  };
  const choices: string[] = [];
  let limitHit = false;
  let preemptions = 0;
  let lastActor = "";
  let abandoned = false;
  /** One turn: the program is quiescent; release the point the chooser picks. False: the run is over. */
  const turn = (): boolean => {
    resumeSchedule(sources);
    record?.recorder.resume(record.slot);
    reportUncaught();
    if (observe && step > 0) {
      // A step that reported nothing may have touched anything (a runner without `touch`, or a
      // step its author forgot), unless the runner declares that its steps report everything:
      // it conflicts with everything, so no reduction is unsound.
      if (!completeFootprints && footprint.reads.size === 0 && footprint.writes.size === 0) footprint.global = true;
      observe(step - 1, footprint);
      footprint = emptyFootprint();
    }
    if (escaped || !scheduler.alive || world.exited()) return false;
    const ready = scheduler.ready();
    if (step >= limit) {
      limitHit = true;
      return false;
    }
    let index: number;
    try {
      index = spec.chooser.choose(ready, step);
    } catch (error) {
      if (!(error instanceof PrefixDivergence)) throw error;
      onEscape({ api: "replay", call: error.message });
      return false;
    }
    if (index === ABANDON) {
      abandoned = true;
      return false;
    }
    const picked = ready[index];
    if (!picked) throw new RangeError(`strategy chose outside the ready set at step ${step + 1}`);
    if (picked.actor !== lastActor && hasActor(ready, lastActor)) preemptions += 1;
    lastActor = picked.actor;
    choices.push(picked.label);
    step += 1;
    recorder?.begin(step, picked);
    record?.recorder.step(record.slot, index);
    // Releasing a timer moves virtual time, which every later id and timer depends on.
    if (scheduler.isTimer(picked.label)) {
      footprint.global = true;
      recorder?.global();
    }
    try {
      scheduler.releaseReady(picked);
    } catch (error) {
      // A timer callback of the runner threw (points only resolve promises, which never throws).
      uncaught.push(error);
    }
    return true;
  };
  const stop = () => {
    stopCollecting();
    resumeSchedule(undefined);
    unwatch();
    scheduler.dispose();
  };
  const finish = (): ScheduleResult => {
    reportUncaught();
    const end: RunEnd = {
      atRest: !limitHit && !abandoned && !world.exited() && !escaped,
      steps: step,
      labels: choices,
      limitHit,
      maxSteps: limit,
      ...(limit !== spec.maxSteps && { stepScale: limit / spec.maxSteps }),
      pendingCalls: world.pendingCalls(),
      ...(world.exited() && { exited: true }),
    };
    if (!abandoned) spec.chooser.finish?.(step, end.atRest, end.atRest ? undefined : scheduler.ready());
    const checked = spec.invariants.flatMap((inv) => inv.check(trace, end));
    if (recorder === undefined) return { choices, trace, end, violations: checked, preemptions, abandoned };
    const steps = recorder.steps();
    const violations = spec.explain === false ? checked : explainViolations(checked, { trace, steps });
    return { choices, trace, end, violations, preemptions, abandoned, steps };
  };
  return new Promise<ScheduleResult>((resolve, reject) => {
    // Each turn runs in a macrotask of its own, so every microtask of the step before it has run:
    // the ready set is complete (see quiescence). The turn runs in the real setImmediate's
    // callback itself rather than after an awaited promise: the same moment (the microtask
    // queue is empty when a macrotask begins), without a promise and an await per step.
    const next = () => {
      let more: boolean;
      try {
        more = turn();
      } catch (error) {
        stop();
        reject(error);
        return;
      }
      if (more) {
        realSetImmediate(next);
        return;
      }
      stop();
      try {
        resolve(finish());
      } catch (error) {
        reject(error);
      }
    };
    try {
      world.start();
    } catch (error) {
      stop();
      reject(error);
      return;
    }
    realSetImmediate(next);
  });
}

/** Some ready point belongs to `actor` (a loop: this runs every step). */
function hasActor(ready: readonly { readonly actor: string }[], actor: string): boolean {
  for (let i = 0; i < ready.length; i++) if (ready[i]!.actor === actor) return true;
  return false;
}
