import { explore, type ExploreResult } from "../../src/harness/explore/explore.ts";
import { loadWorld, resolveInvariants } from "../../src/harness/resolve.ts";
import { ScenariosMap, type BuiltinScenario } from "../../src/harness/scenario/builtin/index.ts";
import { StrategiesMap } from "../../src/harness/scheduler/strategies/index.ts";
import type { RunObserver } from "../../src/subjects/observers/RunObserver.ts";
import { RunnersMap, type BuiltinRunner } from "../../src/subjects/runner/variants/index.ts";

/** What a seed-1 portfolio exploration of a built-in scenario and runner found, and which invariants failed. */
export interface Verdict {
  readonly result: ExploreResult;
  readonly invariants: readonly string[];
}

/**
 * Explores a built-in scenario on a built-in runner with the default strategy (portfolio,
 * seed 1), stopping at the first failure, under an observer (a built-in name, a module path,
 * or a RunObserver value) over a transport.
 */
export async function exploreBuiltin(name: BuiltinScenario, runner: BuiltinRunner, observer: string | RunObserver, transport: "inproc" | "http", runs: number): Promise<Verdict> {
  const scenario = ScenariosMap[name];
  const world = typeof observer === "string" ? await loadWorld(scenario, observer, transport) : { observer, transport };
  const result = await explore({
    scenario,
    runner: RunnersMap[runner],
    strategy: StrategiesMap.portfolio({ seed: 1 }),
    invariants: resolveInvariants(scenario),
    runs,
    maxSteps: 1000,
    keepGoing: false,
    concurrency: 16,
    world,
  });
  return { result, invariants: [...new Set(result.failures.flatMap((f) => f.violations.map((v) => v.invariant)))] };
}
