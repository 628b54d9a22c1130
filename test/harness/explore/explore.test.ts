import { describe, expect, it } from "vitest";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { explore, type ExploreOptions } from "../../../src/harness/explore/explore.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";

const options = (overrides: Partial<ExploreOptions> & { seed?: number } = {}): ExploreOptions => ({
  scenario: ScenariosMap["double-prompt-async"],
  runner: RunnersMap.fixed,
  strategy: random({ seed: overrides.seed ?? 1 }),
  invariants: Object.values(InvariantsMap),
  runs: 200,
  maxSteps: 1000,
  keepGoing: false,
  concurrency: 8,
  ...overrides,
});

describe("explore", () => {
  it("gives the same traceHash for the same inputs (seed 1) and a different one for seed 2", async () => {
    const a = await explore(options());
    const b = await explore(options());
    const c = await explore(options({ seed: 2, strategy: random({ seed: 2 }) }));
    expect(a.schedulesRun).toBe(200);
    expect(a.traceHash).toBe(b.traceHash);
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it("does not depend on how many schedules run at once", async () => {
    const one = await explore(options({ concurrency: 1 }));
    const many = await explore(options({ concurrency: 32 }));
    expect(many.traceHash).toBe(one.traceHash);
  });

  it("stops at the first failing schedule and reports its number (upstream, seed 1)", async () => {
    const result = await explore(options({ runner: RunnersMap.upstream, concurrency: 16 }));
    expect(result.failures).toHaveLength(1);
    expect(result.schedulesRun).toBe(result.failures[0]!.run + 1);
    const sequential = await explore(options({ runner: RunnersMap.upstream, concurrency: 1 }));
    expect(sequential.failures[0]!.run).toBe(result.failures[0]!.run);
  });

  it("keeps going to collect one failure per distinct set of violated invariants", async () => {
    const result = await explore(options({ runner: RunnersMap.upstream, keepGoing: true, runs: 500 }));
    expect(result.schedulesRun).toBe(500);
    const keys = result.failures.map((f) => [...new Set(f.violations.map((v) => v.invariant))].sort().join(","));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThan(1);
  });
});
