import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";
import { fuzzCampaign } from "../../../src/harness/fuzz/fuzzCampaign.ts";
import { resolveLimits } from "../../../src/harness/sandbox/limits.ts";
import { copyOfReferenceRunner, neverSetsPending, tmp, unchanged } from "./support.ts";

const campaign = (runner: string, workers: number, scenarios: number) =>
  fuzzCampaign({ seed: 1, runner, observer: "fixed", budget: 100, maxSteps: 1000, workers, scenarios });

describe("fuzzCampaign", () => {
  it("gives the same failures with 1 and 2 workers for the same seed and scenario count (upstream, seed 1, 8 scenarios)", async () => {
    const one = await campaign("upstream", 1, 8);
    const two = await campaign("upstream", 2, 8);
    expect(one.scenarios).toBe(8);
    expect(two.scenarios).toBe(8);
    expect(one.distinct.length).toBeGreaterThan(0);
    const shape = (r: typeof one) => ({ schedules: r.schedules, failing: r.failingScenarios, distinct: r.distinct.map((d) => [d.index, d.failure.signature, d.failure.choices, d.occurrences]) });
    expect(shape(two)).toEqual(shape(one));
  });

  it("gives a task waiting in the pool's queue no budget: behind scenarios of 1000 schedules, a 1 s load budget finds no runner-timeout on fixed", async () => {
    // One worker and a task queued ahead: each waits for the one before it, far longer than
    // the load budget (counted only from when a worker takes the task up).
    const r = await fuzzCampaign({ seed: 1, runner: "fixed", observer: "fixed", budget: 1000, maxSteps: 1000, workers: 1, scenarios: 3, limits: { ...resolveLimits(), loadTimeoutMs: 1000 } });
    expect(r.scenarios).toBe(3);
    expect(r.distinct.map((d) => d.failure.invariant)).toEqual([]);
  }, 120_000);

  it("finds nothing on the fixed runner in the same scenarios, so the upstream failures are the runner's", async () => {
    const fixed = await campaign("fixed", 2, 8);
    expect(fixed.scenarios).toBe(8);
    expect(fixed.distinct).toEqual([]);
  });
});

describe("racelab fuzz", () => {
  it("saves distinct upstream failures into the regressions, which the gate then replays and passes", async () => {
    const regressions = tmp();
    const r = await cli("fuzz", "--runner", "upstream", "--scenarios", "4", "--seed", "1", "--workers", "2", "--save", "--regressions", regressions, "--out", tmp(), "--json");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.scenarios).toBe(4);
    expect(json.failures.length).toBeGreaterThan(0);
    expect(new Set(json.failures.map((f: { signature: string }) => f.signature)).size).toBe(json.failures.length);
    const saved = readdirSync(regressions).filter((f) => f.endsWith(".json"));
    expect(saved).toHaveLength(json.failures.length);
    const gate = await cli("gate", "--filter", "regression", "--regressions", regressions, "--reports", tmp());
    expect(gate.out).toMatch(/reproduces/);
    expect(gate.code).toBe(0);
  });

  it("catches a copy of the reference runner whose pending flag is never set, loaded from its path", async () => {
    const broken = copyOfReferenceRunner(neverSetsPending);
    const r = await cli("fuzz", "--runner", broken, "--scenarios", "40", "--seed", "1", "--workers", "2", "--out", tmp(), "--json");
    expect(r.code).toBe(1);
    // One race under several invariants is one failure: every-message-answered is among those that saw it.
    expect(JSON.parse(r.out).failures.flatMap((f: { invariants: string[]; seenAs: string[] }) => [...f.invariants, ...f.seenAs])).toContain("every-message-answered");
    const intact = copyOfReferenceRunner(unchanged);
    const ok = await cli("fuzz", "--runner", intact, "--scenarios", "40", "--seed", "1", "--workers", "2", "--out", tmp(), "--json");
    expect(ok.code).toBe(0);
  }, 180_000);

  it("rejects a module that does not implement the runner port (exit 2, says what it exports)", async () => {
    const dir = tmp();
    const file = join(dir, "not-a-runner.mjs");
    writeFileSync(file, "export const answer = 42;\n");
    const r = await cli("fuzz", "--runner", file, "--scenarios", "1");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/does not implement the runner port: it exports answer; a runner module exports a RunnerVariant/);
    const missing = await cli("fuzz", "--runner", join(dir, "nope.ts"), "--scenarios", "1");
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/runner module '.*nope\.ts' not found/);
    const half = join(dir, "half.mjs");
    writeFileSync(half, "export default { name: 'half', description: '', create: () => ({ prompt() {} }) };\n");
    const lacking = await cli("fuzz", "--runner", half, "--scenarios", "1");
    expect(lacking.code).toBe(2);
    expect(lacking.err).toMatch(/lacks promptAsync, cancel/);
  });
});
