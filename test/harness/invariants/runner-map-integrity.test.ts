import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { at, endOf, expectClean, exploreOne, firstFailure, runOne, toy, toyScenarios } from "./support.ts";

const inv = InvariantsMap["runner-map-integrity"];
const NAME = "runner-map-integrity";

const set = (step: number, runner: string, sessionID = "s1"): TraceEvent => at(step, { type: "runners.set", sessionID, runner });
const del = (step: number, runner: string, sessionID = "s1"): TraceEvent => at(step, { type: "runners.delete", sessionID, runner });
const running = (step: number, runner: string, runID: string, sessionID = "s1"): TraceEvent =>
  at(step, { type: "runner.state", sessionID, runner, state: "running", runID });
const idle = (step: number, runner: string, sessionID = "s1"): TraceEvent => at(step, { type: "runner.state", sessionID, runner, state: "idle" });

describe("runner-map-integrity over real runs", () => {
  it("upstream orphans a running runner in double-prompt-async (seed 1)", async () => {
    const result = await exploreOne({ scenario: "double-prompt-async", runner: "upstream", invariant: NAME, seed: 1, runs: 50 });
    const { violation, trace } = firstFailure(result, NAME);
    expect(violation.sessionID).toBe("s1");
    const m = /^after step (\d+) runner (s1\/r\d+) is Running (s1\.run\d+) but runners\.get\(s1\) is (empty|s1\/r\d+): an orphaned runner$/.exec(violation.message);
    expect(m, violation.message).not.toBeNull();
    const [, step, runner, runID, holder] = m!;
    expect(violation.step).toBe(Number(step));
    expect(holder).not.toBe(runner);
    // The runner named was set Running that run at or before the step named.
    expect(
      trace.some((e) => e.type === "runner.state" && e.runner === runner && e.runID === runID && e.state === "running" && e.step <= Number(step)),
    ).toBe(true);
  });

  it("upstream orphans a running runner in idle-prompt-async (seed 1)", async () => {
    const result = await exploreOne({ scenario: "idle-prompt-async", runner: "upstream", invariant: NAME, seed: 1, runs: 400 });
    const { violation } = firstFailure(result, NAME);
    expect(violation.message).toMatch(/^after step \d+ runner s1\/r\d+ is Running s1\.run\d+ but runners\.get\(s1\) is /);
  });

  it.each(["double-prompt-async", "idle-prompt-async", "cancel-race"] as const)(
    "the fixed runner keeps its map consistent in %s (seed 1, 300 schedules)",
    async (scenario) => {
      expectClean(await exploreOne({ scenario, runner: "fixed", invariant: NAME, seed: 1, runs: 300 }), 300);
    },
  );

  it("a tiny runner that sets the map before Running and deletes it after idle is fine", async () => {
    const run = await runOne({ scenario: toyScenarios.twoSessions, runner: toy, invariants: [NAME] });
    expect(run.violations).toEqual([]);
  });
});

describe("runner-map-integrity over hand-built traces", () => {
  it("is checked between steps, not within one: a set after Running in the same step is fine", () => {
    expect(inv.check([running(1, "r1", "run1"), set(1, "r1"), idle(2, "r1"), del(2, "r1")], endOf(2))).toEqual([]);
  });

  it("a Running runner the map does not hold after a step is reported, naming the step, runner, run and session", () => {
    expect(inv.check([running(1, "r1", "run1"), set(2, "r1")], endOf(2))).toMatchObject([
      { invariant: NAME, step: 1, sessionID: "s1", message: "after step 1 runner r1 is Running run1 but runners.get(s1) is empty: an orphaned runner" },
    ]);
  });

  it("a map entry deleted while its runner is still Running is reported", () => {
    expect(inv.check([set(1, "r1"), running(1, "r1", "run1"), del(2, "r1"), idle(3, "r1")], endOf(3))).toMatchObject([
      { invariant: NAME, step: 2, sessionID: "s1", message: "after step 2 runner r1 is Running run1 but runners.get(s1) is empty: an orphaned runner" },
    ]);
    // Deleted and restored within the same step: fine.
    expect(inv.check([set(1, "r1"), running(1, "r1", "run1"), del(2, "r1"), set(2, "r1"), idle(3, "r1")], endOf(3))).toEqual([]);
  });

  it("a Running runner replaced in the map by another is reported with the holder", () => {
    const v = inv.check([set(1, "r1"), running(1, "r1", "run1"), set(2, "r2"), running(2, "r2", "run2")], endOf(2));
    expect(v.map((x) => x.message)).toEqual(["after step 2 runner r1 is Running run1 but runners.get(s1) is r2: an orphaned runner"]);
  });

  it("the last step is checked at the end of the run, at the run's last step", () => {
    expect(inv.check([set(1, "r1"), running(1, "r1", "run1"), del(3, "r1")], endOf(5))).toMatchObject([
      { invariant: NAME, step: 5, sessionID: "s1", message: "after step 5 runner r1 is Running run1 but runners.get(s1) is empty: an orphaned runner" },
    ]);
  });

  it("map entries of other sessions do not count", () => {
    expect(inv.check([set(1, "r1", "s2"), running(1, "r1", "run1", "s1")], endOf(1))).toHaveLength(1);
    expect(inv.check([set(1, "r1", "s1"), running(1, "r1", "run1", "s1"), set(1, "x", "s2")], endOf(1))).toEqual([]);
  });
});
