import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { SessionStatus } from "../../../src/boundaries/port.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { at, endOf, expectClean, exploreOne, firstFailure, runOne, toy, toyScenarios } from "./support.ts";

const inv = InvariantsMap["status-truthful"];
const NAME = "status-truthful";

const running = (step: number, runner: string, runID: string, sessionID = "s1"): TraceEvent =>
  at(step, { type: "runner.state", sessionID, runner, state: "running", runID });
const idle = (step: number, runner: string, sessionID = "s1"): TraceEvent => at(step, { type: "runner.state", sessionID, runner, state: "idle" });
const status = (step: number, s: SessionStatus, sessionID = "s1"): TraceEvent => at(step, { type: "status", sessionID, status: s });
const start = (step: number, runID: string, sessionID = "s1"): TraceEvent => at(step, { type: "loop.start", sessionID, runID });
const stop = (step: number, runID: string, sessionID = "s1"): TraceEvent =>
  at(step, { type: "loop.end", sessionID, runID, outcome: "done" });

/** Checks a real idle-while-running violation against its trace, and the publisher it names against the schedule. */
function checkAgainstTrace(trace: readonly TraceEvent[], message: string, step: number, labels: readonly string[] = []): void {
  const m =
    /^idle published for s1 at step (?<step>\d+)(?: by (?<by>\S+?)(?: itself|, whose loop had exited at step (?<exited>\d+) \(a dying run's publish\))?,)? while (?:runner (?<runner>s1\/r\d+) is Running (?<run>s1\.run\d+)|loop (?<loop>s1\.run\d+) has not exited): observers that wait for idle stop early$/.exec(message);
  expect(m, message).not.toBeNull();
  const g = m!.groups!;
  expect(Number(g.step)).toBe(step);
  expect(trace.some((e) => e.type === "status" && e.status === "idle" && e.sessionID === "s1" && e.step === step)).toBe(true);
  const runID = g.run ?? g.loop;
  expect(trace.some((e) => e.type === "loop.start" && e.runID === runID && e.step <= step)).toBe(true);
  if (g.runner) expect(trace.some((e) => e.type === "runner.state" && e.runner === g.runner && e.runID === runID)).toBe(true);
  // The publisher named is the actor of the step that published; a dying run had exited before it.
  expect(g.by, "the publisher is named").toBeDefined();
  expect(labels[step - 1]?.startsWith(`${g.by} `)).toBe(true);
  if (g.exited) expect(trace.some((e) => e.type === "loop.end" && e.runID === g.by && e.step === Number(g.exited) && e.step <= step)).toBe(true);
}

describe("status-truthful over real runs", () => {
  it("upstream's halt path publishes idle while the runner is Running in halt-idle (seed 1)", async () => {
    const result = await exploreOne({ scenario: "halt-idle", runner: "upstream", invariant: NAME, seed: 1, runs: 20 });
    const { violation, trace, end } = firstFailure(result, NAME);
    expect(violation.sessionID).toBe("s1");
    expect(violation.message).toMatch(/ by (s1\.run\d+) itself, while runner s1\/r\d+ is Running \1:/);
    checkAgainstTrace(trace, violation.message, violation.step, end.labels);
  });

  it("upstream publishes idle while a run is active in idle-prompt-async (seed 1)", async () => {
    const result = await exploreOne({ scenario: "idle-prompt-async", runner: "upstream", invariant: NAME, seed: 1, runs: 400 });
    const { violation, trace, end } = firstFailure(result, NAME);
    checkAgainstTrace(trace, violation.message, violation.step, end.labels);
  });

  it("upstream publishes idle while an interrupted loop has not exited in cancel-race (seed 1)", async () => {
    const result = await exploreOne({ scenario: "cancel-race", runner: "upstream", invariant: NAME, seed: 1, runs: 50 });
    const { violation, trace, end } = firstFailure(result, NAME);
    checkAgainstTrace(trace, violation.message, violation.step, end.labels);
  });

  it.each(["halt-idle", "idle-prompt-async", "cancel-race", "double-prompt-async"] as const)(
    "the fixed runner publishes truthful statuses in %s (seed 1, 300 schedules)",
    async (scenario) => {
      expectClean(await exploreOne({ scenario, runner: "fixed", invariant: NAME, seed: 1, runs: 300 }), 300);
    },
  );

  it("a tiny runner that goes idle before publishing idle is fine", async () => {
    const run = await runOne({ scenario: toyScenarios.twoSessions, runner: toy, invariants: [NAME] });
    expect(run.trace.filter((e) => e.type === "status" && e.status === "idle")).toHaveLength(2);
    expect(run.violations).toEqual([]);
  });
});

describe("status-truthful over hand-built traces", () => {
  it("idle after the runner went idle and the loop exited is fine; idle while Running is reported", () => {
    const ok = [running(1, "r1", "run1"), start(1, "run1"), status(1, "busy"), stop(2, "run1"), idle(2, "r1"), status(3, "idle")];
    expect(inv.check(ok, endOf(3))).toEqual([]);
    const bad = [running(1, "r1", "run1"), start(1, "run1"), status(1, "busy"), status(2, "idle"), stop(3, "run1"), idle(3, "r1")];
    expect(inv.check(bad, endOf(3))).toMatchObject([
      {
        invariant: NAME,
        step: 2,
        sessionID: "s1",
        message: "idle published for s1 at step 2 while runner r1 is Running run1: observers that wait for idle stop early",
      },
    ]);
  });

  it("idle while the runner is idle but its loop has not exited is reported", () => {
    const bad = [running(1, "r1", "run1"), start(1, "run1"), idle(2, "r1"), status(2, "idle"), stop(3, "run1")];
    expect(inv.check(bad, endOf(3)).map((v) => v.message)).toEqual([
      "idle published for s1 at step 2 while loop run1 has not exited: observers that wait for idle stop early",
    ]);
  });

  it("a run of another session does not make idle a lie", () => {
    const trace = [running(1, "r1", "run1", "s2"), start(1, "run1", "s2"), status(2, "idle", "s1"), status(2, "busy", "s2")];
    expect(inv.check(trace, endOf(2, { atRest: false }))).toEqual([]);
  });

  it("at rest, a session left busy with no runner Running is reported", () => {
    const trace = [running(1, "r1", "run1"), start(1, "run1"), status(1, "busy"), stop(2, "run1"), idle(2, "r1")];
    expect(inv.check(trace, endOf(4))).toMatchObject([
      { invariant: NAME, step: 4, sessionID: "s1", message: "at rest s1 reads busy but no runner is Running" },
    ]);
    // Not at rest (the step limit stopped it), the idle may still come.
    expect(inv.check(trace, endOf(4, { atRest: false, limitHit: true }))).toEqual([]);
    // retry counts as not idle, like busy.
    expect(inv.check([...trace.slice(0, 2), status(1, "retry"), ...trace.slice(3)], endOf(4))[0]?.message).toBe(
      "at rest s1 reads retry but no runner is Running",
    );
  });

  it("at rest, a session reading idle while a runner is Running is reported", () => {
    const trace = [status(1, "idle"), running(2, "r1", "run1")];
    expect(inv.check(trace, endOf(2))).toMatchObject([
      { invariant: NAME, step: 2, sessionID: "s1", message: "at rest s1 reads idle but a runner is still Running" },
    ]);
    expect(inv.check(trace, endOf(2, { atRest: false, limitHit: true }))).toEqual([]);
    // Busy while Running at rest agrees with the runners.
    expect(inv.check([status(1, "idle"), running(2, "r1", "run1"), status(2, "busy")], endOf(2))).toEqual([]);
  });

  it("a session that never published a status is not checked at rest", () => {
    expect(inv.check([running(1, "r1", "run1")], endOf(1))).toEqual([]);
  });
});
