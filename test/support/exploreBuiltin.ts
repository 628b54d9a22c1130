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
 * or a RunObserver value) over a transport; with `only`, checking that invariant alone.
 */
export async function exploreBuiltin(name: BuiltinScenario, runner: BuiltinRunner, observer: string | RunObserver, transport: "inproc" | "http", runs: number, only?: string): Promise<Verdict> {
  const scenario = ScenariosMap[name];
  const world = typeof observer === "string" ? await loadWorld(scenario, observer, transport) : { observer, transport };
  const result = await explore({
    scenario,
    runner: RunnersMap[runner],
    strategy: StrategiesMap.portfolio({ seed: 1 }),
    // `only`: check just this invariant (the first failure of another would stop the search).
    invariants: resolveInvariants(scenario).filter((i) => only === undefined || i.name === only),
    runs,
    maxSteps: 1000,
    keepGoing: false,
    concurrency: 16,
    world,
  });
  return { result, invariants: [...new Set(result.failures.flatMap((f) => f.violations.map((v) => v.invariant)))] };
}
