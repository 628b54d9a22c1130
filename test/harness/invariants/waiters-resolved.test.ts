import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { at, describeAll, endOf, expectClean, exploreOne, of, runOne, toy, toyRunner, toyScenarios } from "./support.ts";

const inv = InvariantsMap["waiters-resolved"];
const NAME = "waiters-resolved";

/** Its prompt reports waiting on the run, then waits on a promise nothing resolves. */
const forgetsWaiter = toyRunner("forgets-waiter", { awaitRun: () => new Promise<void>(() => {}) });

/** Its prompt is resolved but never reports `wait.end`: the waiter is leaked. */
const leaksWaiter: RunnerVariant = {
  name: "leaks-waiter",
  description: "resolves the caller without reporting the wait's end",
  create(port) {
    const base = toy.create({ ...port, trace: (e) => (e.type === "wait.end" ? undefined : port.trace(e)) });
    return base;
  },
};

describe("waiters-resolved over real runs", () => {
  it("a runner whose prompt waits on a run's done that never resolves leaves its waiter behind (seed 1)", async () => {
    const run = await runOne({ scenario: toyScenarios.onePrompt, runner: forgetsWaiter, invariants: [NAME] });
    expect(run.end.atRest).toBe(true);
    const waitStart = run.trace.find((e) => e.type === "wait.start");
    expect(waitStart?.type === "wait.start" && waitStart).toMatchObject({ waiter: "a1", runID: "s1.toy1", sessionID: "s1" });
    expect(run.violations).toMatchObject([
      { invariant: NAME, step: run.end.steps, sessionID: "s1", message: `a1 waits since step ${waitStart!.step} on s1.toy1, which will never resolve it: s1.toy1 exited (done) at step ${run.end.steps} without resolving it` },
    ]);
  });

  it("a runner that never reports the end of a wait is caught for each waiter (seed 1)", async () => {
    const run = await runOne({ scenario: toyScenarios.twoSessions, runner: leaksWaiter, invariants: [NAME] });
    const found = of(run.violations, NAME)
      .map((v) => [v.sessionID, v.message.replace(/since step \d+/, "since step N")])
      .sort(([a], [b]) => String(a).localeCompare(String(b)));
    expect(found).toEqual([
      ["s1", expect.stringMatching(/^a1 waits since step N on (s1\.toy\d), which will never resolve it: \1 exited \(done\) at step \d+ without resolving it$/)],
      ["s2", expect.stringMatching(/^b1 waits since step N on (s2\.toy\d), which will never resolve it: \1 exited \(done\) at step \d+ without resolving it$/)],
    ]);
    // The callers themselves did return: only the report of the wait is missing.
    expect(run.end.pendingCalls).toEqual([]);
  });

  it("the tiny correct runner resolves every waiter", async () => {
    for (const scenario of Object.values(toyScenarios)) {
      const run = await runOne({ scenario, runner: toy, invariants: [NAME] });
      expect(run.trace.some((e) => e.type === "wait.start")).toBe(true);
      expect(run.violations, describeAll(run.violations)).toEqual([]);
    }
  });

  it.each(["cancel-race", "busy-prompt-async", "double-prompt-async"] as const)(
    "the fixed runner resolves every waiter, across cancel, in %s (seed 1, 300 schedules)",
    async (scenario) => {
      expectClean(await exploreOne({ scenario, runner: "fixed", invariant: NAME, seed: 1, runs: 300 }), 300);
    },
  );
});

describe("waiters-resolved over hand-built traces", () => {
  const trace: TraceEvent[] = [
    at(1, { type: "wait.start", sessionID: "s1", waiter: "a1", runID: "run1" }),
    at(2, { type: "wait.start", sessionID: "s1", waiter: "b1", runID: "run1" }),
    at(3, { type: "wait.end", waiter: "a1" }),
  ];

  it("reports only the waiters whose wait never ended", () => {
    expect(inv.check(trace, endOf(4))).toMatchObject([
      { invariant: NAME, step: 4, sessionID: "s1", message: "b1 waits since step 2 on run1, which will never resolve it: run1 never started" },
    ]);
    expect(inv.check([...trace, at(4, { type: "wait.end", waiter: "b1" })], endOf(4))).toEqual([]);
  });

  it("is a liveness check: a run stopped by the step limit is not judged", () => {
    expect(inv.liveness).toBe(true);
    expect(inv.check(trace, endOf(4, { atRest: false, limitHit: true }))).toEqual([]);
  });

  it("a waiter that waits again after being resolved is judged by its last wait", () => {
    const again = [...trace, at(4, { type: "wait.start", sessionID: "s1", waiter: "a1", runID: "run2" }), at(5, { type: "wait.end", waiter: "b1" })];
    expect(inv.check(again, endOf(5)).map((v) => v.message)).toEqual(["a1 waits since step 4 on run2, which will never resolve it: run2 never started"]);
  });
});
