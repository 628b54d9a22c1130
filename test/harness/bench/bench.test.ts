import { describe, expect, it } from "vitest";
import { runBench } from "../../../src/harness/bench/bench.ts";
import { median, seededBugs } from "../../../src/harness/bench/measure.ts";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";

describe("racelab bench (tiny budgets: checks what it reports, never how fast)", () => {
  it("reports per-step cost for every scenario, every seeded bug per strategy, dfs with and without reduction, memory and targets", async () => {
    const r = await runBench({ throughputRuns: 20, fastCheckRuns: 5, stepRounds: 1, seeds: 2, bugBudget: 2000, dfsBudget: 50, memoryRuns: 200, memoryEarly: 50, transportRuns: 20, fuzzSeconds: 3, cliRuns: 50, cliRounds: 1, effectRuns: 5 });
    // racelab, fast-check and the bare replay side by side, per step; the replay ran racelab's own schedules.
    expect(r.stepCost.map((t) => t.scenario)).toEqual(Object.keys(ScenariosMap));
    for (const t of r.stepCost) {
      for (const c of [t.racelab, t.fastCheck, t.bareReplay]) {
        expect(c.microsPerStep, t.scenario).toBeGreaterThan(0);
        expect(Number.isFinite(c.microsPerStep), t.scenario).toBe(true);
        expect(c.schedulesPerSecond, t.scenario).toBeGreaterThan(0);
        expect(c.stepsPerSchedule, t.scenario).toBeGreaterThan(0);
      }
      expect(t.sameSchedules, t.scenario).toBe(true);
      expect(t.diverged, t.scenario).toBe(0);
      expect(t.bareReplay.stepsPerSchedule, t.scenario).toBeCloseTo(t.racelab.stepsPerSchedule, 1);
      expect(t.vsBareReplay).toBeCloseTo(t.racelab.microsPerStep / t.bareReplay.microsPerStep, 1);
      expect(t.fastCheckVsRacelab).toBeCloseTo(t.fastCheck.microsPerStep / t.racelab.microsPerStep, 1);
    }
    expect(r.bugs).toHaveLength(seededBugs().length);
    for (const b of r.bugs) {
      expect((b["portfolio"] as { missed: number }).missed, String(b["scenario"])).toBe(0);
      expect(b["steps"]).toMatchObject({ original: expect.any(Number), shrunk: expect.any(Number) });
    }
    expect(r.dfs.map((d) => [d.scenario, d.reduction, d.workers ?? 1])).toEqual([
      ["idle-prompt-async", true, 1],
      ["idle-prompt-async", false, 1],
      ["double-prompt-async", true, 1],
      ["double-prompt-async", false, 1],
      ["double-prompt-async", true, 2],
    ]);
    expect(r.optimality.map((d) => d.scenario)).toEqual(["idle-prompt-async", "cancel-race", "double-prompt-async"]);
    for (const d of r.optimality) expect(d.classes, d.scenario).toBeLessThanOrEqual(d.schedules - d.abandoned);
    expect(r.memory).toMatchObject({ earlySchedules: 50, schedules: 200 });
    expect(r.memory.rssEarlyMiB).toBeGreaterThan(0);
    expect(r.memory.rssGrowth).toBeCloseTo(r.memory.rssEndMiB / r.memory.rssEarlyMiB, 1);
    expect(r.fuzz.runs.map((f) => f.workers)).toEqual([1, 2]);
    expect(r.fuzz.breadth).toBeCloseTo(r.fuzz.upstream.schedulesPerSecond / Math.max(1, r.fuzz.runs[1]!.schedulesPerSecond), 1);
    expect(r.transports.map((t) => t.scenario)).toEqual(["background-child-run", "sync-child", "status-gap"]);
    for (const t of r.transports) expect(t.inproc.schedulesPerSecond > 0 && t.http.schedulesPerSecond > 0).toBe(true);
    expect(r.targets.map((t) => t.target)).toHaveLength(11);
    expect(r.targets.slice(0, 3).map((t) => t.target)).toEqual([
      "racelab per step <= 1.5x the bare replay of the same schedules (worst scenario)",
      "racelab per step >= 3x faster than fast-check's scheduler on the same runner (worst scenario)",
      "memory flat: RSS after 200 schedules <= 1.1x RSS after 50",
    ]);
    for (const t of r.targets) expect(typeof t.met, t.target).toBe("boolean");
    // The Effect runner beside the plain model, on every scenario, and on Effect's own scheduler.
    expect(r.effect).toHaveLength(Object.keys(ScenariosMap).length);
    for (const e of r.effect) {
      expect(e.effect.microsPerStep, e.scenario).toBeGreaterThan(0);
      expect(e.effect.stepsPerSchedule, e.scenario).toBeGreaterThan(e.plain.stepsPerSchedule);
      expect(e.defaultSchedulerMsPerRun, e.scenario).toBeGreaterThan(0);
    }
    // The compiled CLI and the tsx path on the sources explore the same schedules.
    expect(r.cli.tsx).toBeDefined();
    expect(r.cli.sameTraceHash).toBe(true);
  }, 120_000);

  it("takes medians of odd and even lists", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
