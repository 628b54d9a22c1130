import { describe, expect, it } from "vitest";
import { ScenariosMap, type BuiltinScenario } from "../../../src/harness/scenario/builtin/index.ts";
import { explore } from "../../../src/harness/explore/explore.ts";
import { runSchedule } from "../../../src/harness/explore/runSchedule.ts";
import { shrinkFailure } from "../../../src/harness/explore/shrink.ts";
import { resolveInvariants } from "../../../src/harness/resolve.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";
import type { Scenario } from "../../../src/harness/scenario/schema.ts";
import { dfs } from "../../../src/harness/scheduler/strategies/dfs.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";

/**
 * The shortest failing schedule by iterative deepening on the preemption bound: plain DFS at
 * bound 0, then 1, ..., each space searched to the end. Independent of the shrinker: it sees
 * only the scenario, the runner and the invariant.
 */
async function shortestFailing(scenario: Scenario, invariantName: string, maxBound: number) {
  const invariants = resolveInvariants(scenario).filter((inv) => inv.name === invariantName);
  let shortest = Number.POSITIVE_INFINITY;
  for (let bound = 0; bound <= maxBound; bound++) {
    const strategy = dfs({ seed: 0, preemptions: bound, reduction: false });
    for (let run = 0, chooser = strategy.next(0); chooser; chooser = strategy.next(++run)) {
      const result = await runSchedule({ scenario, runner: RunnersMap.upstream, invariants, chooser, maxSteps: 1000 });
      if (result.violations.length > 0) shortest = Math.min(shortest, result.end.steps);
    }
  }
  return shortest;
}

/**
 * The small scenarios: their spaces at bound 1 hold a few hundred to a few thousand schedules.
 * double-prompt-async is left out: its bound-1 space is over 300,000 schedules (checked by hand:
 * the shortest runner-map-integrity failure at bound 2 is 30 steps, the shrunk one is 30).
 */
const SMALL: BuiltinScenario[] = ["idle-prompt-async", "busy-prompt-async", "torn-read", "client-message-id", "cancel-race", "halt-idle"];

describe("the shrunk counterexample against the shortest failing schedule (upstream, seed 1)", () => {
  for (const name of SMALL) {
    it(`${name}: within one step of the shortest failing schedule with at most 1 preemption`, async () => {
      const scenario = ScenariosMap[name];
      const invariants = resolveInvariants(scenario);
      const runner = RunnersMap.upstream;
      const found = await explore({ scenario, runner, strategy: random({ seed: 1 }), invariants, runs: 2000, maxSteps: 1000, keepGoing: false, concurrency: 16 });
      const failure = found.failures[0]!;
      const primary = failure.violations[0]!.invariant;
      const shrunk = await shrinkFailure({ scenario, runner, invariants, primary, maxSteps: 1000, choices: failure.result.choices });
      const shortest = await shortestFailing(scenario, primary, 1);
      expect(shortest).toBeLessThan(Number.POSITIVE_INFINITY);
      expect(shrunk.shrunk.steps, `shrunk ${shrunk.shrunk.steps} steps, shortest ${shortest}`).toBeLessThanOrEqual(shortest + 1);
    });
  }

  it("torn-read: the exhaustive phase jumps from the 28-step way of failing that local edits reach to the 21-step one", async () => {
    const scenario = ScenariosMap["torn-read"];
    const invariants = resolveInvariants(scenario);
    const runner = RunnersMap.upstream;
    const found = await explore({ scenario, runner, strategy: random({ seed: 1 }), invariants, runs: 2000, maxSteps: 1000, keepGoing: false, concurrency: 16 });
    const choices = found.failures[0]!.result.choices;
    const input = { scenario, runner, invariants, primary: "every-message-answered", maxSteps: 1000, choices };
    const local = await shrinkFailure({ ...input, searchBudget: 0 });
    const full = await shrinkFailure(input);
    expect(local.shrunk.steps).toBe(28);
    expect(local.shortestWithin).toBe(-1);
    expect(full.shrunk.steps).toBe(21);
    expect(full.shortestWithin).toBeGreaterThanOrEqual(1);
  });
});
