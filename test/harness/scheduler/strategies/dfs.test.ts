import { describe, expect, it } from "vitest";
import { ScenariosMap, type BuiltinScenario } from "../../../../src/harness/scenario/builtin/index.ts";
import { explore } from "../../../../src/harness/explore/explore.ts";
import { resolveInvariants, resolveWorld } from "../../../../src/harness/resolve.ts";
import { RunnersMap } from "../../../../src/subjects/runner/variants/index.ts";
import { defineScenario } from "../../../../src/harness/scenario/parseScenario.ts";
import type { Scenario } from "../../../../src/harness/scenario/schema.ts";
import { dfs } from "../../../../src/harness/scheduler/strategies/dfs.ts";
import type { RunnerVariant } from "../../../../src/boundaries/port.ts";

/**
 * Client a cancels s1 (points `a: cancel s1`, then `a1 publish idle`: two actors, one point
 * each); client b sends a noReply prompt_async to s2 (`b: prompt_async s2`, then three points
 * of actor b1). 15 interleavings. A preemption is paid for each inner gap of b1's three points
 * that an a-point enters, so bound 0 allows 6, bound 1 allows 14, bound 2 all 15.
 */
const tiny = defineScenario({
  name: "tiny",
  sessions: ["s1", "s2"],
  clients: [
    { name: "a", actions: [{ kind: "cancel", session: "s1" }] },
    { name: "b", actions: [{ kind: "prompt_async", session: "s2", parts: ["note"], noReply: true }] },
  ],
});

async function exhaust(scenario: Scenario, preemptions: number, reduction: boolean, runs = 1_000_000, runner = RunnersMap.upstream) {
  const strategy = dfs({ seed: 1, preemptions, reduction });
  // Scenarios with a run command use the observer upstream had.
  const world = resolveWorld(scenario, "main-idle", undefined);
  const result = await explore({ scenario, runner, strategy, invariants: resolveInvariants(scenario), runs, maxSteps: 1000, keepGoing: true, concurrency: 1, world });
  const summary = strategy.summary!();
  return { result, summary, invariants: new Set(result.failures.flatMap((f) => f.violations.map((v) => v.invariant))) };
}

describe("dfs strategy", () => {
  for (const [bound, count] of [
    [0, 6],
    [1, 14],
    [2, 15],
  ] as const) {
    it(`explores exactly the ${count} hand-counted schedules of the tiny scenario with at most ${bound} preemptions, and says it is complete`, async () => {
      const { result, summary } = await exhaust(tiny, bound, false);
      expect(result.schedulesRun).toBe(count);
      expect(result.stats.distinctSchedules).toBe(count);
      expect(result.exhausted).toBe(true);
      expect(summary["complete"]).toBe(true);
      expect(summary.text).toMatch(new RegExp(`DFS complete: all ${count} schedules with at most ${bound} preemptions`));
    });
  }

  it("says the exploration was cut when the budget ends first", async () => {
    const { result, summary } = await exhaust(tiny, 2, false, 10);
    expect(result.schedulesRun).toBe(10);
    expect(summary["complete"]).toBe(false);
    expect(summary.text).toMatch(/cut by the budget after 10 schedules/);
  });

  it("with source-DPOR explores fewer schedules of the tiny scenario and reaches the same end states", async () => {
    const plain = await exhaust(tiny, 2, false);
    const reduced = await exhaust(tiny, 2, true);
    expect(reduced.summary["complete"]).toBe(true);
    expect(reduced.result.schedulesRun).toBeLessThan(15);
    expect(reduced.result.stats.distinctEndStates).toBe(plain.result.stats.distinctEndStates);
  });

  it("completes double-prompt-async on the fixed runner with at most 1 preemption, finding nothing", async () => {
    const { result, summary } = await exhaust(ScenariosMap["double-prompt-async"], 1, true, 1_000_000, RunnersMap.fixed);
    expect(summary["complete"]).toBe(true);
    expect(result.failures).toEqual([]);
  });

  it("a runner that reports no footprints gets no reduction, never a wrong one: the reduced search runs every schedule plain DFS runs", async () => {
    // upstream with `touch` taken out of its port, as a user's runner that never calls it (and
    // so does not declare complete footprints).
    const { completeFootprints: _declared, ...upstream } = RunnersMap.upstream;
    const silent: RunnerVariant = { ...upstream, name: "upstream-silent", create: (port) => upstream.create({ ...port, touch: undefined }) };
    const scenario = ScenariosMap["idle-prompt-async"];
    const plain = await exhaust(scenario, 1, false, 1_000_000, silent);
    const reduced = await exhaust(scenario, 1, true, 1_000_000, silent);
    expect(plain.invariants.size).toBeGreaterThan(0);
    expect(reduced.result.schedulesRun).toBe(plain.result.schedulesRun);
    expect([...reduced.invariants].sort()).toEqual([...plain.invariants].sort());
    // The built-in runner reports its footprints, and is reduced.
    const reported = await exhaust(scenario, 1, true, 1_000_000, RunnersMap.upstream);
    expect(reported.result.schedulesRun * 5).toBeLessThan(plain.result.schedulesRun);
  });

  // Soundness against plain DFS on every scenario and runner is in dfsSoundness.*.test.ts.
});
