import { describe, expect, it } from "vitest";
import { explore } from "../../../src/harness/explore/explore.ts";
import { runSchedule } from "../../../src/harness/explore/runSchedule.ts";
import { resolveInvariants } from "../../../src/harness/resolve.ts";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { StrategiesMap } from "../../../src/harness/scheduler/strategies/index.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";

const scenario = ScenariosMap["idle-prompt-async"];
const invariants = resolveInvariants(scenario);
const oldest = { choose: () => 0 };

describe("steps are recorded for the causal analysis only where there is something to explain", () => {
  it("a passing run records no steps; with recordSteps it records every one", async () => {
    const plain = await runSchedule({ scenario, runner: RunnersMap.fixed, invariants, chooser: oldest, maxSteps: 1000 });
    expect(plain.violations).toEqual([]);
    expect(plain.steps).toBeUndefined();
    const recorded = await runSchedule({ scenario, runner: RunnersMap.fixed, invariants, chooser: oldest, maxSteps: 1000, recordSteps: true });
    expect(recorded.steps).toHaveLength(recorded.end.steps);
    expect(recorded.choices).toEqual(plain.choices);
  });

  it("a failure explore keeps is explained by running its schedule once more: its chain names steps of the same run", async () => {
    const result = await explore({ scenario, runner: RunnersMap.upstream, strategy: StrategiesMap.random({ seed: 1 }), invariants, runs: 200, maxSteps: 1000, keepGoing: false, concurrency: 1, seed: 1 });
    const failure = result.failures[0]!;
    expect(failure).toBeDefined();
    const explained = failure.violations.filter((v) => v.cause !== undefined);
    expect(explained.length).toBeGreaterThan(0);
    expect(failure.result.steps).toHaveLength(failure.result.end.steps);
    for (const v of explained) {
      for (const s of v.cause!.steps) {
        if (s.step < 1) continue;
        // Each step of the chain is the step of that number in the failing schedule.
        expect(failure.result.choices[s.step - 1], v.cause!.text).toBe(failure.result.steps![s.step - 1]!.label);
      }
    }
  });

  it("a run whose violations nothing explains (explain: false) records no steps", async () => {
    const found = await explore({ scenario, runner: RunnersMap.upstream, strategy: StrategiesMap.random({ seed: 1 }), invariants, runs: 200, maxSteps: 1000, keepGoing: false, concurrency: 1, seed: 1 });
    const choices = found.failures[0]!.result.choices;
    const chooser = { choose: (ready: readonly { label: string }[], step: number) => ready.findIndex((p) => p.label === choices[step]) };
    const bare = await runSchedule({ scenario, runner: RunnersMap.upstream, invariants, chooser, maxSteps: 1000, explain: false, randomSeed: 0 });
    expect(bare.violations.length).toBeGreaterThan(0);
    expect(bare.steps).toBeUndefined();
    expect(bare.violations.every((v) => v.cause === undefined)).toBe(true);
  });
});
