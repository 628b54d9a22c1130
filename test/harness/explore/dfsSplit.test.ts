import { describe, expect, it } from "vitest";
import { exploreDfsSplit, splitPrefixes, SPLIT_SUBTREES } from "../../../src/harness/explore/dfsSplit.ts";
import { explore, type ExploreOptions } from "../../../src/harness/explore/explore.ts";
import { resolveInvariants } from "../../../src/harness/resolve.ts";
import { ScenariosMap, type BuiltinScenario } from "../../../src/harness/scenario/builtin/index.ts";
import { dfs } from "../../../src/harness/scheduler/strategies/dfs.ts";
import { RunnersMap, type BuiltinRunner } from "../../../src/subjects/runner/variants/index.ts";

function optionsOf(scenario: BuiltinScenario, runner: BuiltinRunner, preemptions: number, keepGoing: boolean): ExploreOptions {
  return {
    scenario: ScenariosMap[scenario],
    runner: RunnersMap[runner],
    strategy: dfs({ seed: 1, preemptions }),
    invariants: resolveInvariants(ScenariosMap[scenario]),
    runs: 1_000_000,
    maxSteps: 1000,
    keepGoing,
    concurrency: 1,
    seed: 1,
  };
}

const split = (scenario: BuiltinScenario, runner: BuiltinRunner, preemptions: number, workers: number, keepGoing = true, reduction = true) =>
  exploreDfsSplit(optionsOf(scenario, runner, preemptions, keepGoing), { runner, world: {}, strategy: { seed: 1, preemptions, reduction }, workers });

const invariantsOf = (r: { failures: readonly { violations: readonly { invariant: string }[] }[] }) => [...new Set(r.failures.flatMap((f) => f.violations.map((v) => v.invariant)))].sort();

describe("dfs split over worker threads", () => {
  it("cuts the tree at the first depth with enough prefixes, each a distinct start within the bound", async () => {
    const prefixes = await splitPrefixes(optionsOf("idle-prompt-async", "fixed", 2, true), { seed: 1, preemptions: 2 });
    expect(prefixes.length).toBeGreaterThanOrEqual(SPLIT_SUBTREES);
    expect(new Set(prefixes.map((p) => p.join("\n"))).size).toBe(prefixes.length);
    expect(new Set(prefixes.map((p) => p.length)).size).toBe(1);
  });

  it("runs the same schedules, in the same order, with the same findings, for 1, 2 and 3 workers (cancel-race, upstream, bound 1)", async () => {
    const [one, two, three] = [await split("cancel-race", "upstream", 1, 1), await split("cancel-race", "upstream", 1, 2), await split("cancel-race", "upstream", 1, 3)];
    expect(one.result.exhausted).toBe(true);
    for (const other of [two, three]) {
      expect(other.result.traceHash).toBe(one.result.traceHash);
      expect(other.result.stats).toEqual(one.result.stats);
      expect(other.result.failures.map((f) => [f.run, f.result.choices, f.violations.map((v) => v.message)])).toEqual(
        one.result.failures.map((f) => [f.run, f.result.choices, f.violations.map((v) => v.message)]),
      );
    }
    // The reduced split search keeps the race the README's must-show names.
    expect(invariantsOf(one.result)).toContain("one-loop-per-session");
  }, 240_000);

  it.each([
    ["idle-prompt-async", "upstream", 1],
    ["cancel-race", "upstream", 1],
    ["torn-read", "upstream", 1],
    ["halt-idle", "upstream", 1],
  ] as const)("%s on %s at bound %i: the reduced split search finds every invariant plain DFS finds and the same end states", async (scenario, runner, bound) => {
    const options = optionsOf(scenario, runner, bound, true);
    const plain = await explore({ ...options, strategy: dfs({ seed: 1, preemptions: bound, reduction: false }) });
    expect(plain.exhausted).toBe(true);
    const reduced = await split(scenario, runner, bound, 1);
    expect(reduced.result.exhausted).toBe(true);
    expect(invariantsOf(reduced.result)).toEqual(invariantsOf(plain));
    expect(reduced.result.stats.distinctEndStates).toBe(plain.stats.distinctEndStates);
    expect(reduced.result.schedulesRun).toBeLessThanOrEqual(plain.schedulesRun);
  }, 240_000);

  it("stops at the first failure without --keep-going, at the same schedule for any number of workers", async () => {
    const one = await split("idle-prompt-async", "upstream", 1, 1, false);
    const two = await split("idle-prompt-async", "upstream", 1, 2, false);
    expect(one.result.failures).toHaveLength(1);
    expect(two.result.failures.map((f) => f.run)).toEqual(one.result.failures.map((f) => f.run));
    expect(two.result.schedulesRun).toBe(one.result.schedulesRun);
    expect(one.result.exhausted).toBe(false);
  }, 240_000);

  it("cuts at the budget exactly: the same first schedules as an unlimited split search", async () => {
    const whole = await split("idle-prompt-async", "fixed", 2, 1);
    const options = { ...optionsOf("idle-prompt-async", "fixed", 2, true), runs: 100 };
    const cut = await exploreDfsSplit(options, { runner: "fixed", world: {}, strategy: { seed: 1, preemptions: 2 }, workers: 2 });
    expect(cut.result.schedulesRun).toBe(100);
    expect(cut.result.exhausted).toBe(false);
    expect(whole.result.schedulesRun).toBeGreaterThan(100);
    expect(cut.summary.text).toMatch(/^DFS cut after 100 schedules/);
  }, 240_000);
});
