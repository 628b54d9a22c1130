import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { assistantMsg, at, endOf, expectClean, exploreOne, firstFailure, userMsg } from "./support.ts";

const inv = InvariantsMap["cancel-stops-run"];
const NAME = "cancel-stops-run";

const start = (step: number, runID: string, sessionID = "s1"): TraceEvent => at(step, { type: "loop.start", sessionID, runID });
const stop = (step: number, runID: string, sessionID = "s1"): TraceEvent =>
  at(step, { type: "loop.end", sessionID, runID, outcome: "interrupted" });
const cancelCall = (step: number, request: string, sessionID = "s1"): TraceEvent =>
  at(step, { type: "client.call", client: "c", request, action: "cancel", sessionID });
const cancelStart = (step: number, request: string, sessionID = "s1"): TraceEvent => at(step, { type: "cancel.start", sessionID, request });
const cancelEnd = (step: number, request: string, sessionID = "s1"): TraceEvent => at(step, { type: "cancel.end", sessionID, request });
const promptCall = (step: number, request: string, sessionID = "s1"): TraceEvent =>
  at(step, { type: "client.call", client: "a", request, action: "prompt_async", sessionID });

describe("cancel-stops-run over real runs", () => {
  it("upstream loses a cancel: a prompt sent before it gets a run started after it in cancel-race (seed 1)", async () => {
    const result = await exploreOne({ scenario: "cancel-race", runner: "upstream", invariant: NAME, seed: 1, runs: 30 });
    const { violation, trace } = firstFailure(result, NAME);
    expect(violation.sessionID).toBe("s1");
    const m = /^cancel (a2) \(step (\d+)\) was lost: (s1\.run\d+), started after it, answers (a1|b1) which was sent before it \(step (\d+)\)$/.exec(violation.message);
    expect(m, violation.message).not.toBeNull();
    const [, cancel, cancelStep, runID, request, sentStep] = m!;
    expect(trace.some((e) => e.type === "client.call" && e.action === "cancel" && e.request === cancel && e.step === Number(cancelStep))).toBe(true);
    expect(trace.some((e) => e.type === "client.call" && e.request === request && e.step === Number(sentStep))).toBe(true);
    expect(Number(sentStep)).toBeLessThan(Number(cancelStep));
    const cancelBegan = trace.findIndex((e) => e.type === "cancel.start" && e.request === cancel);
    const runBegan = trace.findIndex((e) => e.type === "loop.start" && e.runID === runID);
    expect(runBegan).toBeGreaterThan(cancelBegan);
  });

  it("the fixed runner's cancel stops the run and every prompt sent before it in cancel-race (seed 1, 500 schedules)", async () => {
    expectClean(await exploreOne({ scenario: "cancel-race", runner: "fixed", invariant: NAME, seed: 1, runs: 500 }), 500);
  });
});

describe("cancel-stops-run over hand-built traces: a cancel that resolves while an earlier run still runs", () => {
  it("is reported naming the cancel, the session and the run; a run that exited first is fine", () => {
    const bad = [start(1, "run1"), cancelCall(2, "c1"), cancelStart(2, "c1"), cancelEnd(3, "c1"), stop(4, "run1")];
    expect(inv.check(bad, endOf(4))).toMatchObject([
      { invariant: NAME, step: 3, sessionID: "s1", message: "cancel c1 of s1 resolved at step 3 while run1, started before it, still runs" },
    ]);
    const ok = [start(1, "run1"), cancelCall(2, "c1"), cancelStart(2, "c1"), stop(3, "run1"), cancelEnd(3, "c1")];
    expect(inv.check(ok, endOf(3))).toEqual([]);
  });

  it("a run started after the cancel began, or on another session, may still run", () => {
    const later = [cancelCall(1, "c1"), cancelStart(1, "c1"), start(2, "run2"), cancelEnd(3, "c1")];
    expect(inv.check(later, endOf(3))).toEqual([]);
    const other = [start(1, "run1", "s2"), cancelCall(2, "c1"), cancelStart(2, "c1"), cancelEnd(3, "c1")];
    expect(inv.check(other, endOf(3))).toEqual([]);
  });
});

describe("cancel-stops-run over hand-built traces: the lost cancel before start", () => {
  const user = userMsg("u1", "a1");
  const sent = [promptCall(1, "a1"), at(1, { type: "message", message: user })];
  const cancel = [cancelCall(3, "c1"), cancelStart(3, "c1"), cancelEnd(3, "c1")];
  const reply = (step: number) => at(step, { type: "message", message: assistantMsg("x1", "u1", "run1") });
  /** a1 sent at step 1, cancel c1 at step 3, and run1 answering a1 started before or after the cancel. */
  function trace(runAt: "before-cancel" | "after-cancel"): TraceEvent[] {
    return runAt === "before-cancel"
      ? [...sent, start(2, "run1"), reply(2), stop(2, "run1"), ...cancel]
      : [...sent, ...cancel, start(4, "run1"), reply(5), stop(5, "run1")];
  }

  it("a run started after the cancel that answers a prompt sent before it is reported", () => {
    expect(inv.check(trace("after-cancel"), endOf(5))).toMatchObject([
      {
        invariant: NAME,
        step: 5,
        sessionID: "s1",
        message: "cancel c1 (step 3) was lost: run1, started after it, answers a1 which was sent before it (step 1)",
      },
    ]);
  });

  it("a run started before the cancel (and ended before it resolved) is fine", () => {
    expect(inv.check(trace("before-cancel"), endOf(5))).toEqual([]);
  });

  it("a prompt sent after the cancel may start a run after it", () => {
    const sentLater = [...cancel, promptCall(4, "a1"), at(4, { type: "message", message: user }), start(4, "run1"), reply(5), stop(5, "run1")];
    expect(inv.check(sentLater, endOf(5))).toEqual([]);
  });

  it("a cancel of another session is not lost by a run of this one", () => {
    const t = trace("after-cancel").map((e) =>
      e.type === "client.call" && e.action === "cancel" ? { ...e, sessionID: "s2" } : e.type === "cancel.start" || e.type === "cancel.end" ? { ...e, sessionID: "s2" } : e,
    );
    expect(inv.check(t, endOf(5))).toEqual([]);
  });
});

describe("cancel-stops-run: a job started while the cancel is under way", () => {
  /** s1.run1 runs; cancel x1 of s1 begins at 3; at 4 a job of s1 starts child c1 (run `by` is active then); the cancel resolves at 6; c1 takes an LLM step at 8. */
  const trace = (by: "s1.run1" | "s1.run2"): TraceEvent[] => [
    start(1, "s1.run1"),
    cancelCall(2, "x1"),
    cancelStart(3, "x1"),
    ...(by === "s1.run2" ? [stop(3, "s1.run1"), start(3, "s1.run2")] : []),
    at(4, { type: "job.start", job: "c1.job", parentID: "s1", sessionID: "c1", style: "plugin" }),
    ...(by === "s1.run1" ? [stop(5, "s1.run1")] : [stop(5, "s1.run2")]),
    cancelEnd(6, "x1"),
    start(7, "c1.run1", "c1"),
    at(8, { type: "llm.call", sessionID: "c1", runID: "c1.run1", assistantID: "m9", seen: [], reply: "text" }),
  ];

  it("started by the run the cancel is stopping, its child must stop too", () => {
    const [v, ...more] = inv.check(trace("s1.run1"), endOf(9));
    expect(more).toEqual([]);
    expect(v!.message).toBe("cancel x1 of s1 resolved at step 6, yet its descendant c1 (its job c1.job started at step 4, while the cancel was under way) still runs: c1.run1 took an LLM step at step 8");
    expect(v!.evidence!.map((e) => e.step)).toEqual([3, 4, 6, 8]);
  });

  it("started by a run that began after the cancel, it is not the cancel's", () => {
    expect(inv.check(trace("s1.run2"), endOf(9))).toEqual([]);
  });
});
