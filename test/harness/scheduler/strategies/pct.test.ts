import { describe, expect, it } from "vitest";
import { ScenariosMap } from "../../../../src/harness/scenario/builtin/index.ts";
import { explore } from "../../../../src/harness/explore/explore.ts";
import { InvariantsMap } from "../../../../src/harness/invariants/index.ts";
import { RunnersMap } from "../../../../src/subjects/runner/variants/index.ts";
import { pct } from "../../../../src/harness/scheduler/strategies/pct.ts";

const invariants = Object.values(InvariantsMap);

/** Switches between actors over `steps` steps when the same three actors are always ready. */
function switchesOf(depth: number, run: number, steps = 20): number {
  const strategy = pct({ seed: 1, depth });
  strategy.prepare?.({ steps, actors: 3 });
  const chooser = strategy.next(run)!;
  const ready = ["x", "y", "z"].map((actor, id) => ({ id, label: `${actor} step`, actor }));
  let switches = 0;
  let last = "";
  for (let step = 0; step < steps; step++) {
    const actor = ready[chooser.choose(ready, step)]!.actor;
    if (last && actor !== last) switches += 1;
    last = actor;
  }
  return switches;
}

describe("pct strategy", () => {
  it("with depth 1 has no change point: the highest-priority actor runs at every step", () => {
    for (let run = 0; run < 50; run++) expect(switchesOf(1, run)).toBe(0);
  });

  it("with depth 3 switches only at its 2 change points, and uses both in some schedules", () => {
    const switches = Array.from({ length: 100 }, (_, run) => switchesOf(3, run));
    expect(Math.max(...switches)).toBe(2);
    expect(switches.filter((n) => n > 0).length).toBeGreaterThan(50);
  });

  it("reports the bound 1/(n k^(d-1)) from the probed scenario size", () => {
    const strategy = pct({ seed: 1, depth: 3 });
    strategy.prepare?.({ steps: 20, actors: 5 });
    const summary = strategy.summary?.();
    expect(summary?.["bound"]).toBeCloseTo(1 / (5 * 20 ** 2));
    expect(summary?.text).toMatch(/n=5 actors, k=20 steps/);
  });

  it("is deterministic per seed and schedule number", async () => {
    const run = (seed: number) =>
      explore({
        scenario: ScenariosMap["double-prompt-async"],
        runner: RunnersMap.fixed,
        strategy: pct({ seed, depth: 3 }),
        invariants,
        runs: 100,
        maxSteps: 1000,
        keepGoing: false,
        concurrency: 8,
      });
    expect((await run(1)).traceHash).toBe((await run(1)).traceHash);
    expect((await run(2)).traceHash).not.toBe((await run(1)).traceHash);
  });

  it("finds the PR #21528 lost wake-up in pr-21528 (depth 3, seed 1) and nothing in fixed", async () => {
    const go = (runner: "pr-21528" | "fixed") =>
      explore({
        scenario: ScenariosMap["idle-prompt-async"],
        runner: RunnersMap[runner],
        strategy: pct({ seed: 1, depth: 3 }),
        invariants,
        runs: 2000,
        maxSteps: 1000,
        keepGoing: false,
        concurrency: 16,
      });
    const found = await go("pr-21528");
    expect(found.failures[0]?.violations.map((v) => v.invariant)).toContain("every-message-answered");
    expect((await go("fixed")).failures).toEqual([]);
  });
});
