import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { at, endOf, expectClean, exploreOne, firstFailure, runOne, toy, toyScenarios } from "./support.ts";

const inv = InvariantsMap["one-loop-per-session"];
const NAME = "one-loop-per-session";

const start = (step: number, runID: string, sessionID = "s1"): TraceEvent => at(step, { type: "loop.start", sessionID, runID });
const stop = (step: number, runID: string, sessionID = "s1"): TraceEvent =>
  at(step, { type: "loop.end", sessionID, runID, outcome: "done" });

describe("one-loop-per-session over real runs", () => {
  it("upstream starts a second loop while an interrupted one unwinds in cancel-race (seed 1)", async () => {
    const result = await exploreOne({ scenario: "cancel-race", runner: "upstream", invariant: NAME, seed: 1, runs: 150 });
    const { violation, trace } = firstFailure(result, NAME);
    expect(violation.sessionID).toBe("s1");
    const m = /^two loops on s1 at step (\d+): (s1\.run\d+) started while (s1\.run\d+) \(started at step (\d+)\) still runs(?: \((s1\/r\d+) went idle at step (\d+)\))?$/.exec(violation.message);
    expect(m, violation.message).not.toBeNull();
    const [, step, second, first, firstStep, freed, freedStep] = m!;
    // What let the second loop start: the first's runner went idle (the cancel) before it, and it is in the trace.
    if (freed) expect(trace.some((e) => e.type === "runner.state" && e.runner === freed && e.state === "idle" && e.step === Number(freedStep) && e.step <= Number(step))).toBe(true);
    expect(violation.step).toBe(Number(step));
    expect(second).not.toBe(first);
    // Both loops are in the trace as named, and the first had not ended when the second started.
    const secondStart = trace.findIndex((e) => e.type === "loop.start" && e.runID === second && e.step === Number(step));
    const firstStart = trace.findIndex((e) => e.type === "loop.start" && e.runID === first && e.step === Number(firstStep));
    const firstEnd = trace.findIndex((e) => e.type === "loop.end" && e.runID === first);
    expect(firstStart).toBeGreaterThanOrEqual(0);
    expect(secondStart).toBeGreaterThan(firstStart);
    expect(firstEnd === -1 || firstEnd > secondStart).toBe(true);
  });

  it.each(["cancel-race", "double-prompt-async", "busy-prompt-async"] as const)(
    "the fixed runner never runs two loops at once in %s (seed 1, 300 schedules)",
    async (scenario) => {
      expectClean(await exploreOne({ scenario, runner: "fixed", invariant: NAME, seed: 1, runs: 300 }), 300);
    },
  );

  it("a tiny runner with loops on two sessions at once is fine", async () => {
    const run = await runOne({ scenario: toyScenarios.twoSessions, runner: toy, invariants: [NAME] });
    expect(run.trace.filter((e) => e.type === "loop.start")).toHaveLength(2);
    expect(run.violations).toEqual([]);
  });
});

describe("one-loop-per-session over hand-built traces", () => {
  it("loops one after another on a session are fine; overlapping ones are reported with both runs", () => {
    expect(inv.check([start(1, "r1"), stop(2, "r1"), start(3, "r2"), stop(4, "r2")], endOf(4))).toEqual([]);
    expect(inv.check([start(1, "r1"), start(3, "r2"), stop(4, "r1")], endOf(4))).toMatchObject([
      { invariant: NAME, step: 3, sessionID: "s1", message: "two loops on s1 at step 3: r2 started while r1 (started at step 1) still runs" },
    ]);
  });

  it("a loop ending in the same step the next starts is fine if the end comes first, not otherwise", () => {
    expect(inv.check([start(1, "r1"), stop(2, "r1"), start(2, "r2")], endOf(2))).toEqual([]);
    expect(inv.check([start(1, "r1"), start(2, "r2"), stop(2, "r1")], endOf(2))).toHaveLength(1);
  });

  it("loops of different sessions may overlap", () => {
    expect(inv.check([start(1, "a", "s1"), start(2, "b", "s2"), stop(3, "a", "s1"), stop(4, "b", "s2")], endOf(4))).toEqual([]);
  });

  it("a loop.end of another session does not end the loop", () => {
    expect(inv.check([start(1, "r1", "s1"), stop(2, "r1", "s2"), start(3, "r2", "s1")], endOf(3))).toHaveLength(1);
  });

  it("reports a session once, and each session that breaks it", () => {
    const trace = [start(1, "r1"), start(2, "r2"), start(3, "r3"), start(4, "q1", "s2"), start(5, "q2", "s2")];
    const v = inv.check(trace, endOf(5));
    expect(v.map((x) => [x.sessionID, x.step])).toEqual([
      ["s1", 2],
      ["s2", 5],
    ]);
    expect(v[1]!.message).toBe("two loops on s2 at step 5: q2 started while q1 (started at step 4) still runs");
  });
});
