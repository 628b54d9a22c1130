import { count } from "../harness/output/plural.ts";
import { test } from "vitest";
import { ScenariosMap } from "../harness/scenario/builtin/index.ts";
import { exploreExpecting } from "../harness/explore/exploreExpecting.ts";
import type { RunnerVariant } from "../boundaries/port.ts";
import { loadScenario, resolveInvariants, resolveStrategy, loadWorld } from "../harness/resolve.ts";
import { recordFailure as recordFailureHere, type RecordedFailure } from "../harness/explore/recordFailure.ts";
import { resolveLimits } from "../harness/sandbox/limits.ts";
import { exploreWatched, worldSpec } from "../harness/sandbox/watched.ts";
import { runnerSpecOf } from "../boundaries/loaders/loadRunnerModule.ts";
import { validateRaceOptions } from "./raceOptions.ts";
import { parseScenario } from "../harness/scenario/parseScenario.ts";
import type { Scenario, ScenarioInput } from "../harness/scenario/schema.ts";
import { STRATEGY_DEFAULTS } from "../harness/scheduler/strategies/Strategy.ts";

/** A path to a scenario file, as `racelab explore` takes one: `./my-scenario.json`, `./my-scenario.ts`. */
export type ScenarioPath = `./${string}` | `../${string}` | `/${string}` | `${string}.${"json" | "ts" | "mts" | "js" | "mjs"}`;

/** What one race test explores. Every field but `scenario` and `runner` has a default. */
export interface RaceTestOptions {
  /** A built-in scenario name (see `racelab list`), a path to a scenario file (relative to the working directory), or a scenario object. */
  readonly scenario: keyof typeof ScenariosMap | ScenarioPath | ScenarioInput | Scenario;
  /** A built-in runner name, a path to a runner module, or a RunnerVariant object. */
  readonly runner: string | RunnerVariant;
  /** The run command's observer, for scenarios with one: a built-in name or a path to an observer module (./my-run.ts). Default `fixed`. */
  readonly observer?: string;
  /** Effect runners: `step` (default) or `suspend` (only suspension points are scheduling points). */
  readonly granularity?: "step" | "suspend";
  /** Exploration strategy. Default `portfolio`. */
  readonly strategy?: string;
  /** Schedules to explore at most. Default 1000. */
  readonly runs?: number;
  /** Default 1. */
  readonly seed?: number;
  /** Default 1000. */
  readonly maxSteps?: number;
  /**
   * `pass` (default): the test fails on any violation, printing it and the replay command.
   * A list of invariants: the test fails unless each of them is violated (a known bug that
   * must stay caught, like a gate row).
   */
  readonly expect?: "pass" | readonly string[];
  /** Where failure files go. Default `reports/failures`. */
  readonly out?: string;
  /** vitest timeout in ms. Default 60 s. */
  readonly timeout?: number;
  /** A runner module's step budget (default 2000 ms; RACELAB_STEP_TIMEOUT_MS) and heap cap (default 1024 MiB). */
  readonly stepTimeout?: number;
  readonly memoryLimit?: number;
}

/**
 * Declares a vitest test that explores a scenario against a runner. A violation fails the
 * test with the invariant, its message, and `npx racelab replay <file>` for the shrunk
 * schedule it wrote:
 *
 * ```ts
 * import { raceTest } from "racelab/vitest";
 * raceTest("prompt_async while idle is never lost", { scenario: "idle-prompt-async", runner: "./src/my-runner.ts", runs: 2000 });
 * ```
 */
export function raceTest(name: string, options: RaceTestOptions): void {
  // Bad options fail at declaration, before anything runs, with the gate's messages.
  validateRaceOptions(name, options);
  test(name, () => checkRace(options, name), options.timeout ?? 60_000);
}

/** The body of {@link raceTest}, usable on its own: resolves when the expectation holds, throws otherwise. */
export async function checkRace(options: RaceTestOptions, name = "checkRace"): Promise<void> {
  validateRaceOptions(name, options);
  const scenario = typeof options.scenario === "string" ? await loadScenario(options.scenario) : parseScenario(options.scenario, "raceTest's scenario");
  const world = await loadWorld(scenario, options.observer, "inproc", options.granularity);
  const seed = options.seed ?? 1;
  const maxSteps = options.maxSteps ?? 1000;
  const strategyOptions = { ...STRATEGY_DEFAULTS, seed };
  const strategy = resolveStrategy(options.strategy ?? "portfolio", strategyOptions);
  const expected = options.expect === undefined || options.expect === "pass" ? [] : [...options.expect];
  const runs = options.runs ?? 1000;
  const out = options.out ?? "reports/failures";
  const where = `${scenario.name} · runner ${typeof options.runner === "string" ? runnerSpecOf(options.runner) : options.runner.name}${world.observer ? ` · observer ${world.observer.name}` : ""} · ${strategy.name} seed ${seed}`;

  let schedulesRun: number;
  let missing: readonly string[];
  let unexpected: readonly string[];
  let recorded: RecordedFailure | undefined;
  let note = "";
  if (typeof options.runner === "string") {
    // A runner by name or path: a user's module runs in a sandbox, so a step that never returns
    // is a runner-timeout finding, not a test that hangs vitest.
    const limits = resolveLimits({
      ...(options.stepTimeout !== undefined && { stepTimeout: options.stepTimeout }),
      ...(options.memoryLimit !== undefined && { memoryLimit: options.memoryLimit }),
    });
    const outcome = await exploreWatched(
      {
        kind: "explore",
        scenario,
        runner: options.runner,
        world: worldSpec(world.observer?.name ?? options.observer, "inproc", options.granularity, Boolean(scenario.run)),
        strategy: { name: strategy.name, options: strategyOptions },
        runs,
        maxSteps,
        keepGoing: expected.length > 0,
        expected,
        ...(expected.length === 0 && { record: { out, seed } }),
      },
      limits,
    );
    schedulesRun = outcome.result.schedulesRun;
    // Stopped by the watchdog, the exploration has no judgement: its failures (the run that never
    // came back among them) say what was found.
    const found = outcome.judged?.found ?? [...new Set([...outcome.recorded.map((r) => r.run), ...outcome.result.failures.map((f) => f.result)].flatMap((r) => r.violations.map((v) => v.invariant)))].sort();
    missing = outcome.judged?.missing ?? expected.filter((n) => !found.includes(n));
    unexpected = outcome.judged?.unexpected ?? found.filter((n) => !expected.includes(n));
    recorded = outcome.recorded[0];
    if (outcome.stopped) note = ` (${outcome.stopped.note})`;
  } else {
    const runner = options.runner;
    const invariants = resolveInvariants(scenario);
    const judged = await exploreExpecting({ scenario, runner, strategy, invariants, runs, maxSteps, concurrency: 16, world, seed }, expected);
    schedulesRun = judged.result.schedulesRun;
    missing = judged.missing;
    unexpected = judged.unexpected;
    const first = judged.result.failures[0];
    if (first && expected.length === 0) {
      recorded = await recordFailureHere({ scenario, runner, invariants, world, strategy: strategy.name, seed, run: first.run, maxSteps, found: first.result, out });
    }
  }
  if (expected.length > 0) {
    if (missing.length > 0) throw new Error(`${where}: expected ${missing.join(", ")} to fail, but ${count(schedulesRun, "schedule")} did not violate ${missing.length === 1 ? "it" : "them"}${note}`);
    if (unexpected.length > 0) throw new Error(`${where}: ${unexpected.join(", ")} failed too, which the test does not expect${note}`);
    return;
  }
  if (!recorded) return;
  const lines = recorded.run.violations.map((v) => `  ${v.invariant}: ${v.message}`);
  throw new Error(
    [
      `${where}: violated in schedule #${recorded.schedule.run} (${recorded.run.choices.length} steps${recorded.schedule.shrink ? ", shrunk" : ""})${note}`,
      ...lines,
      `Report:    ${recorded.html}`,
      `Reproduce: ${recorded.replay}`,
    ].join("\n"),
  );
}
