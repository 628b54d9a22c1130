import { describe, expect, it } from "vitest";
import { explore } from "../../../src/harness/explore/explore.ts";
import { shrinkFailure } from "../../../src/harness/explore/shrink.ts";
import { trailingCycle } from "../../../src/harness/explain/cycle.ts";
import { generateScenario } from "../../../src/harness/fuzz/swarmScenario.ts";
import { resolveInvariants, resolveStrategy } from "../../../src/harness/resolve.ts";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import type { Scenario } from "../../../src/harness/scenario/schema.ts";
import { runSeed } from "../../../src/harness/scheduler/strategies/random.ts";
import { STRATEGY_DEFAULTS } from "../../../src/harness/scheduler/strategies/Strategy.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";

const round = (labels: readonly string[]) => [...labels].map((l) => l.replace(/ \(\d+\)$/, "")).sort();

describe("shrinking a livelock (upstream's resumeWhenIdle polling forever)", () => {
  const cases: [string, Scenario][] = [
    ["child-wake-parent", ScenariosMap["child-wake-parent"]],
    ["generated #37 of seed 1", generateScenario(1, 37).scenario],
  ];
  for (const [name, scenario] of cases) {
    it(`${name}: the shrunk run ends in the same loop (actor and round), entered no later, with no more client actions`, async () => {
      const runner = RunnersMap.upstream;
      const invariants = resolveInvariants(scenario);
      const found = await explore({ seed: 5, scenario, runner, strategy: resolveStrategy("portfolio", { ...STRATEGY_DEFAULTS, seed: 5 }), invariants, runs: 200, maxSteps: 1000, keepGoing: true, concurrency: 1 });
      const failure = found.failures.find((f) => f.violations.some((v) => v.invariant === "livelock"))!;
      expect(failure, "a livelock is found").toBeDefined();
      const before = trailingCycle(failure.result.end.labels!)!;
      const shrunk = await shrinkFailure({ scenario, runner, invariants, primary: "livelock", maxSteps: 1000, choices: failure.result.choices, budget: 150, searchBudget: 40, randomSeed: runSeed(5, failure.run) });
      expect(shrunk.full.violations[0]!.invariant).toBe("livelock");
      const after = trailingCycle(shrunk.full.end.labels!)!;
      expect(after.actor).toBe(before.actor);
      expect(round(after.labels)).toEqual(round(before.labels));
      expect(after.from).toBeLessThanOrEqual(before.from);
      expect(shrunk.shrunk.actions).toBeLessThanOrEqual(shrunk.original.actions);
      expect(shrunk.full.violations[0]!.message).toContain(`${after.actor} repeats`);
    }, 60_000);
  }
});
