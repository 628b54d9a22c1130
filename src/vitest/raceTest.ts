import { test } from "vitest";
import { ScenariosMap } from "../harness/scenario/builtin/index.ts";
import { exploreExpecting } from "../harness/explore/exploreExpecting.ts";
import { recordFailure } from "../harness/explore/recordFailure.ts";
import type { RunnerVariant } from "../boundaries/port.ts";
import { loadRunner, resolveInvariants, resolveScenario, resolveStrategy, resolveWorld } from "../harness/resolve.ts";
import { parseScenario } from "../harness/scenario/parseScenario.ts";
import type { Scenario, ScenarioInput } from "../harness/scenario/schema.ts";
import { STRATEGY_DEFAULTS } from "../harness/scheduler/strategies/Strategy.ts";

/** What one race test explores. Every field but `scenario` and `runner` has a default. */
export interface RaceTestOptions {
  /** A built-in scenario name (see `racelab list`) or a scenario object. */
  readonly scenario: keyof typeof ScenariosMap | ScenarioInput | Scenario;
  /** A built-in runner name, a path to a runner module, or a RunnerVariant object. */
  readonly runner: string | RunnerVariant;
  /** The run command's observer, for scenarios with one. Default `fixed`. */
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
  test(name, () => checkRace(options), options.timeout ?? 60_000);
}

/** The body of {@link raceTest}, usable on its own: resolves when the expectation holds, throws otherwise. */
export async function checkRace(options: RaceTestOptions): Promise<void> {
  const scenario = typeof options.scenario === "string" ? resolveScenario(options.scenario) : parseScenario(options.scenario, "raceTest's scenario");
  const runner = typeof options.runner === "string" ? await loadRunner(options.runner) : options.runner;
  const invariants = resolveInvariants(scenario);
  const world = resolveWorld(scenario, options.observer, "inproc", options.granularity);
  const seed = options.seed ?? 1;
  const maxSteps = options.maxSteps ?? 1000;
  const strategy = resolveStrategy(options.strategy ?? "portfolio", { ...STRATEGY_DEFAULTS, seed });
  const expected = options.expect === undefined || options.expect === "pass" ? [] : [...options.expect];
  const { result, missing, unexpected } = await exploreExpecting(
    { scenario, runner, strategy, invariants, runs: options.runs ?? 1000, maxSteps, concurrency: 16, world },
    expected,
  );
  const where = `${scenario.name} · runner ${runner.name}${world.observer ? ` · observer ${world.observer.name}` : ""} · ${strategy.name} seed ${seed}`;
  if (expected.length > 0) {
    if (missing.length > 0) throw new Error(`${where}: expected ${missing.join(", ")} to fail, but ${result.schedulesRun} schedules did not violate it`);
    if (unexpected.length > 0) throw new Error(`${where}: ${unexpected.join(", ")} failed too, which the test does not expect`);
    return;
  }
  const first = result.failures[0];
  if (!first) return;
  const recorded = await recordFailure({
    scenario,
    runner,
    invariants,
    world,
    strategy: strategy.name,
    seed,
    run: first.run,
    maxSteps,
    found: first.result,
    out: options.out ?? "reports/failures",
  });
  const lines = recorded.run.violations.map((v) => `  ${v.invariant}: ${v.message}`);
  throw new Error(
    [
      `${where}: violated in schedule #${first.run} (shrunk to ${recorded.run.choices.length} steps)`,
      ...lines,
      `Report:    ${recorded.html}`,
      `Reproduce: ${recorded.replay}`,
    ].join("\n"),
  );
}
