/**
 * Shared helpers of the reporter tests: real failing runs turned into FailureReports (found by
 * exploring a built-in scenario with the CLI's default strategy, then replayed strictly from
 * their choices), and a hand-made report whose labels try to inject markup.
 */
import { ScenariosMap, type BuiltinScenario } from "../../../src/harness/scenario/builtin/index.ts";
import { explore } from "../../../src/harness/explore/explore.ts";
import { runSchedule } from "../../../src/harness/explore/runSchedule.ts";
import { resolveInvariants, resolveRunner, resolveWorld } from "../../../src/harness/resolve.ts";
import type { FailureReport } from "../../../src/harness/reporters/FailureReport.ts";
import { defineScenario } from "../../../src/harness/scenario/parseScenario.ts";
import { StrategiesMap } from "../../../src/harness/scheduler/strategies/index.ts";
import { replayChooser } from "../../../src/harness/scheduler/strategies/replay.ts";

/** What identifies a real failing run: scenario, runner and (for scenarios with `run`) observer. */
export interface RealFailure {
  readonly scenario: BuiltinScenario;
  readonly runner: "upstream" | "pr-21528" | "fixed";
  readonly observer?: "main-idle" | "busy-set" | "fixed";
  /** Default 1. */
  readonly seed?: number;
}

const MAX_STEPS = 1000;
const cache = new Map<string, Promise<FailureReport>>();

/**
 * The first failure the CLI's default exploration (portfolio, seed 1) finds, unshrunk, as a
 * FailureReport. Memoised per failure: several test files draw the same runs.
 */
export function realFailure(which: RealFailure): Promise<FailureReport> {
  const key = `${which.scenario}/${which.runner}/${which.observer ?? ""}/${which.seed ?? 1}`;
  let report = cache.get(key);
  if (!report) {
    report = findFailure(which);
    cache.set(key, report);
  }
  return report;
}

async function findFailure(which: RealFailure): Promise<FailureReport> {
  const scenario = ScenariosMap[which.scenario];
  const result = await explore({
    scenario,
    runner: resolveRunner(which.runner),
    strategy: StrategiesMap.portfolio({ seed: which.seed ?? 1 }),
    invariants: resolveInvariants(scenario),
    runs: 2000,
    maxSteps: MAX_STEPS,
    keepGoing: false,
    concurrency: 1,
    world: resolveWorld(scenario, which.observer, undefined),
  });
  const failure = result.failures[0];
  if (!failure) throw new Error(`expected ${which.scenario} on ${which.runner} to fail within 2000 schedules (seed 1)`);
  const name = `${which.scenario}--${which.runner}${which.observer ? `+${which.observer}` : ""}--${failure.violations[0]!.invariant}--seed${which.seed ?? 1}-run${failure.run}`;
  return {
    name,
    scenario,
    runner: which.runner,
    ...(which.observer && { observer: which.observer }),
    choices: failure.result.choices,
    trace: failure.result.trace,
    violations: failure.violations,
    replay: `npx racelab replay reports/failures/${name}.json`,
  };
}

/** Reruns a report's choices with the strict replay strategy: the same run, rebuilt from its schedule alone. */
export async function replayed(report: FailureReport): Promise<FailureReport> {
  const result = await runSchedule({
    scenario: report.scenario,
    runner: resolveRunner(report.runner),
    invariants: resolveInvariants(report.scenario),
    chooser: replayChooser(report.choices),
    maxSteps: MAX_STEPS,
    world: resolveWorld(report.scenario, report.observer, report.transport),
  });
  return { ...report, choices: result.choices, trace: result.trace, violations: result.violations };
}

/** Markup a label must never turn into. */
export const XSS = "<script>alert(1)</script>";

/**
 * A hand-made failure whose texts all carry {@link XSS} (and `;`, `#`, `&`, quotes, a
 * newline): the description, a message part, two labels, an event (via a client.error) and
 * the violation message. Client names cannot hold '<' (the schema forbids it), labels can.
 */
export function evilReport(): FailureReport {
  const scenario = defineScenario({
    name: "evil",
    description: `a description with ${XSS}`,
    sessions: ["s1"],
    clients: [{ name: "a", actions: [{ kind: "prompt", session: "s1", parts: [`part ${XSS}`] }] }],
  });
  return {
    name: "evil--upstream--every-message-answered--seed1-run0",
    scenario,
    runner: "upstream",
    choices: ["a: prompt s1", `a1 write user info ${XSS}`, "s1.run1 fork start", `s1.run1 weird; label # & "quoted" 'single'\nsecond line ${XSS}`, "s1.run1 llm"],
    trace: [
      { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1", step: 1 },
      { type: "client.error", request: "a1", error: `boom ${XSS}`, step: 4 },
    ],
    violations: [{ invariant: "every-message-answered", message: `message of ${XSS} was never answered; see #1 & "that"`, step: 4 }],
    replay: `npx racelab replay "reports/failures/${XSS}.json"`,
  };
}
