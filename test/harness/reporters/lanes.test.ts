import { describe, expect, it } from "vitest";
import { defineScenario } from "../../../src/harness/scenario/parseScenario.ts";
import type { FailureReport } from "../../../src/harness/reporters/FailureReport.ts";
import { isTimerLabel, laneModel, type LaneModel } from "../../../src/harness/reporters/lanes.ts";
import { realFailure } from "./support.ts";

const laneOf = (model: LaneModel, label: string) => model.steps.find((s) => s.label === label)?.lane;
const names = (model: LaneModel) => model.lanes.map((l) => l.name);

describe("laneModel on idle-prompt-async, upstream, seed 1 (lost wake-up)", () => {
  it("puts clients first, then runner actors by first appearance, then the LLM", async () => {
    const model = laneModel(await realFailure({ scenario: "idle-prompt-async", runner: "upstream" }));
    const lanes = names(model);
    expect(lanes.slice(0, 2)).toEqual(["a", "b"]);
    expect(lanes).toContain("s1.run1");
    expect(lanes[lanes.length - 1]).toBe("LLM");
    expect(model.lanes.map((l) => l.kind).slice(0, 2)).toEqual(["client", "client"]);
  });

  it("gives each step one lane: a client's requests go to the client, the llm point to LLM", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const model = laneModel(report);
    expect(model.steps.map((s) => s.step)).toEqual(report.choices.map((_, i) => i + 1));
    expect(model.steps.map((s) => s.label)).toEqual(report.choices);
    for (const s of model.steps) expect(names(model)).toContain(s.lane);
    expect(laneOf(model, "a: prompt s1")).toBe("a");
    expect(laneOf(model, "a1 write user info")).toBe("a");
    expect(laneOf(model, "b1 touch session")).toBe("b");
    expect(laneOf(model, "s1.run1 fork start")).toBe("s1.run1");
    expect(laneOf(model, "s1.run1 llm")).toBe("LLM");
  });

  it("carries the described events of each step and flags the violation's step", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const model = laneModel(report);
    const first = model.steps[0]!;
    expect(first.events).toContain("a1: prompt s1");
    const violation = report.violations[0]!;
    const flagged = model.steps.filter((s) => s.violations.length > 0).map((s) => s.step);
    expect(flagged).toEqual([...new Set(report.violations.map((v) => v.step))]);
    expect(model.steps[violation.step - 1]!.violations.map((v) => v.invariant)).toContain(violation.invariant);
  });
});

describe("laneModel on runs with the run command (main-idle observer, seed 1)", () => {
  it("sync-child: the run command, its prompt and its event stream share the run lane; the task prompt is its own actor", async () => {
    const model = laneModel(await realFailure({ scenario: "sync-child", runner: "upstream", observer: "main-idle" }));
    expect(names(model)[0]).toBe("run");
    expect(model.lanes[0]!.kind).toBe("run");
    expect(laneOf(model, "run: start main")).toBe("run");
    expect(laneOf(model, "run1 write user info")).toBe("run");
    expect(model.steps.filter((s) => s.label.startsWith("run.sse ")).every((s) => s.lane === "run")).toBe(true);
    expect(laneOf(model, "main.run1 llm")).toBe("LLM");
    expect(laneOf(model, "c1.task write user info")).toBe("c1.task");
    expect(names(model)).toEqual(expect.arrayContaining(["run", "main.run1", "c1.task", "c1.run1", "LLM"]));
  });

  it("background-child-run with busy-set: the observer's fallback exit timer goes to the timers lane, last", async () => {
    const model = laneModel(await realFailure({ scenario: "background-child-run", runner: "upstream", observer: "busy-set", seed: 2 }));
    expect(laneOf(model, "run exit-fallback")).toBe("timers");
    expect(names(model)[model.lanes.length - 1]).toBe("timers");
    expect(names(model).indexOf("LLM")).toBe(model.lanes.length - 2);
  });

  it("background-child-run with main-idle: dispose's points are the run command's", async () => {
    const model = laneModel(await realFailure({ scenario: "background-child-run", runner: "upstream", observer: "main-idle" }));
    const dispose = model.steps.filter((s) => s.label.startsWith("dispose"));
    expect(dispose.length).toBeGreaterThan(0);
    expect(dispose.every((s) => s.lane === "run")).toBe(true);
  });
});

describe("laneModel on child-wake-parent, upstream, seed 1 (resumeWhenIdle polls)", () => {
  it("sends the job's 300 ms sleeps to the timers lane and its checks to the job's lane", async () => {
    const model = laneModel(await realFailure({ scenario: "child-wake-parent", runner: "upstream" }));
    expect(laneOf(model, "c1.job sleep 300ms")).toBe("timers");
    expect(laneOf(model, "c1.job check parent")).toBe("c1.job");
    expect(names(model).slice(0, 2)).toEqual(["a", "b"]);
    expect(names(model).slice(-2)).toEqual(["LLM", "timers"]);
  });
});

describe("isTimerLabel", () => {
  it("recognises the timer labels the code sets", () => {
    expect(isTimerLabel("c1.job sleep 300ms")).toBe(true);
    expect(isTimerLabel("c1.job sleep 300ms (2)")).toBe(true);
    expect(isTimerLabel("run exit-fallback")).toBe(true);
  });

  it("does not mistake other points for timers", () => {
    for (const label of ["s1.run1 llm", "a: prompt s1", "s1.run1 fork start", "c1.job check parent", "run.sse status main idle", "a1 write user info"]) {
      expect(isTimerLabel(label), label).toBe(false);
    }
  });
});

describe("laneModel on hand-made reports", () => {
  const scenario = defineScenario({
    name: "hand",
    sessions: ["s1"],
    clients: [
      { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["x"] }] },
      { name: "zed", actions: [{ kind: "cancel", session: "s1" }] },
    ],
    run: { session: "s1", parts: ["go"] },
  });
  const report = (choices: string[], violations: FailureReport["violations"] = []): FailureReport => ({
    name: "hand",
    scenario,
    runner: "upstream",
    choices,
    trace: [],
    violations,
    replay: "npx racelab replay hand.json",
  });

  it("orders lanes clients, run, actors by first appearance, LLM, timers, whatever order steps come in", () => {
    const model = laneModel(report(["x.job sleep 5ms", "s1.run2 llm chunk 1/3", "s1.run2 fork start", "s1.run1 fork start", "zed: cancel s1", "dispose.bus publish disposed"]));
    expect(names(model)).toEqual(["a", "zed", "run", "s1.run2", "s1.run1", "LLM", "timers"]);
    expect(model.steps.map((s) => s.lane)).toEqual(["timers", "LLM", "s1.run2", "s1.run1", "zed", "run"]);
  });

  it("without client.call events, reads request ids as <client><n> (and a cancel's sub-requests), but not a session's loop", () => {
    const model = laneModel(report(["a1 write user info", "zed1 cancel job c1.job", "zed1.c1 cancel job c2.job", "s1.run1 write text"]));
    expect(model.steps.map((s) => s.lane)).toEqual(["a", "zed", "zed", "s1.run1"]);
  });

  it("keeps violations at step 0 and past the last step outside the steps", () => {
    const v = (step: number) => ({ invariant: `at-${step}`, message: "m", step });
    const model = laneModel(report(["a: prompt s1", "a1 write user info"], [v(0), v(2), v(9)]));
    expect(model.before.violations.map((x) => x.step)).toEqual([0]);
    expect(model.steps[1]!.violations.map((x) => x.step)).toEqual([2]);
    expect(model.after.violations.map((x) => x.step)).toEqual([9]);
  });
});
