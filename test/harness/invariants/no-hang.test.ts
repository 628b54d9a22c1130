import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { at, describeAll, endOf, expectClean, exploreOne, of, runOne, toy, toyRunner, toyScenarios } from "./support.ts";

const inv = InvariantsMap["no-hang"];
const NAME = "no-hang";

/** Its prompt joins the run, then waits on a promise nothing resolves: the caller hangs. */
const hangs = toyRunner("hangs", { awaitRun: () => new Promise<void>(() => {}) });

/** Its cancel waits on a promise nothing resolves, without reporting any wait. */
const cancelHangs: RunnerVariant = {
  name: "cancel-hangs",
  description: "cancel never returns",
  create(port) {
    return {
      ...toy.create(port),
      async cancel(sessionID, request) {
        port.trace({ type: "cancel.start", sessionID, request });
        await new Promise<void>(() => {});
      },
    };
  },
};

/** Spins forever, so the run never comes to rest. */
const spinsAndHangs = toyRunner("spins-and-hangs", {
  async awaitRun(port, input) {
    for (;;) await port.point(`${input.request} spin`);
  },
});

describe("no-hang over real runs", () => {
  it("a runner whose prompt never returns leaves the call pending at rest (seed 1)", async () => {
    const run = await runOne({ scenario: toyScenarios.onePrompt, runner: hangs, invariants: [NAME, "waiters-resolved"] });
    expect(run.end).toMatchObject({ atRest: true, pendingCalls: ["a1"] });
    const call = run.trace.find((e) => e.type === "client.call");
    expect(of(run.violations, NAME)).toMatchObject([
      {
        invariant: NAME,
        step: run.end.steps,
        message: `the run went quiet after step ${run.end.steps} with nothing left to schedule while a1 (prompt s1, sent at step ${call!.step}) still waits (a1: it waits on s1.toy1: s1.toy1 exited (done) at step ${run.end.steps} without resolving it)`,
      },
    ]);
    // The same bug, seen from the runner's side.
    expect(of(run.violations, "waiters-resolved")).toHaveLength(1);
  });

  it("a cancel that never returns hangs too, even with no waiter reported (seed 1)", async () => {
    const scenario = { ...toyScenarios.onePrompt, clients: [{ name: "c", actions: [{ kind: "cancel" as const, session: "s1" }] }] };
    const run = await runOne({ scenario, runner: cancelHangs, invariants: [NAME, "waiters-resolved"] });
    expect(run.violations.map((v) => [v.invariant, v.message])).toEqual([
      [NAME, "the run went quiet after step 1 with nothing left to schedule while c1 (cancel s1, sent at step 1) still waits"],
    ]);
  });

  it("a run stopped by the step limit is not judged, though its call is still pending", async () => {
    const run = await runOne({ scenario: toyScenarios.onePrompt, runner: spinsAndHangs, invariants: [NAME], maxSteps: 40 });
    expect(run.end).toMatchObject({ atRest: false, limitHit: true, pendingCalls: ["a1"] });
    expect(run.violations).toEqual([]);
  });

  it("the tiny correct runner returns every call", async () => {
    for (const scenario of Object.values(toyScenarios)) {
      const run = await runOne({ scenario, runner: toy, invariants: [NAME] });
      expect(run.end).toMatchObject({ atRest: true, pendingCalls: [] });
      expect(run.violations, describeAll(run.violations)).toEqual([]);
    }
  });

  it.each(["cancel-race", "idle-prompt-async", "double-prompt-async"] as const)(
    "the fixed runner returns every call in %s (seed 1, 300 schedules)",
    async (scenario) => {
      expectClean(await exploreOne({ scenario, runner: "fixed", invariant: NAME, seed: 1, runs: 300 }), 300);
    },
  );
});

describe("no-hang over hand-built traces", () => {
  const trace: TraceEvent[] = [
    at(1, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1" }),
    at(2, { type: "client.call", client: "b", request: "b1", action: "cancel", sessionID: "s2" }),
  ];

  it("names every pending call, with its action, session and step; a call not in the trace by its request", () => {
    expect(inv.check(trace, endOf(7, { pendingCalls: ["a1", "b1", "z9"] }))).toMatchObject([
      {
        invariant: NAME,
        step: 7,
        message: "the run went quiet after step 7 with nothing left to schedule while a1 (prompt s1, sent at step 1), b1 (cancel s2, sent at step 2), z9 still wait",
      },
    ]);
  });

  it("no pending call, or not at rest: nothing", () => {
    expect(inv.liveness).toBe(true);
    expect(inv.check(trace, endOf(7))).toEqual([]);
    expect(inv.check(trace, endOf(7, { atRest: false, limitHit: true, pendingCalls: ["a1"] }))).toEqual([]);
  });
});
