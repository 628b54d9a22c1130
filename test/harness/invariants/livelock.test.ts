import { describe, expect, it } from "vitest";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";
import { describeAll, endOf, expectClean, exploreOne, runOne, toy, toyScenarios } from "./support.ts";

const inv = InvariantsMap.livelock;
const NAME = "livelock";

/** Its prompt spins on a scheduling point forever. */
const spins: RunnerVariant = {
  name: "spins",
  description: "prompt loops on a point forever",
  create(port) {
    return {
      ...toy.create(port),
      async prompt(input) {
        for (;;) await port.point(`${input.request} spin`);
      },
    };
  },
};

describe("livelock over real runs", () => {
  it("a runner that spins forever hits the step limit and is reported (seed 1)", async () => {
    const run = await runOne({ scenario: toyScenarios.onePrompt, runner: spins, invariants: [NAME], maxSteps: 50 });
    expect(run.end).toMatchObject({ atRest: false, limitHit: true, steps: 50, maxSteps: 50 });
    expect(run.choices.slice(1).every((label) => label === "a1 spin")).toBe(true);
    expect(run.violations).toMatchObject([
      {
        invariant: NAME,
        step: 50,
        message: "the run did not settle within 50 steps: a1 repeats [spin] (49 rounds, steps 2-50), a livelock or an unbounded loop; if the scenario really needs more, raise --max-steps",
      },
    ]);
  });

  it("the tiny correct runner settles well within the limit", async () => {
    const run = await runOne({ scenario: toyScenarios.twoSessions, runner: toy, invariants: [NAME], maxSteps: 50 });
    expect(run.end.atRest).toBe(true);
    expect(run.violations, describeAll(run.violations)).toEqual([]);
  });

  it.each(["cancel-race", "busy-prompt-async", "double-prompt-async"] as const)(
    "the fixed runner settles in %s (seed 1, 300 schedules)",
    async (scenario) => {
      expectClean(await exploreOne({ scenario, runner: "fixed", invariant: NAME, seed: 1, runs: 300 }), 300);
    },
  );

  it("a limit below what a correct run needs is reported too, and exactly at it is not (seed 1)", async () => {
    const scenario = ScenariosMap["idle-prompt-async"];
    const full = await runOne({ scenario, runner: RunnersMap.fixed, invariants: [NAME] });
    expect(full.end.atRest).toBe(true);
    const needed = full.end.steps;
    const exact = await runOne({ scenario, runner: RunnersMap.fixed, invariants: [NAME], maxSteps: needed });
    expect(exact.violations).toEqual([]);
    const short = await runOne({ scenario, runner: RunnersMap.fixed, invariants: [NAME], maxSteps: needed - 1 });
    expect(short.violations.map((v) => v.invariant)).toEqual([NAME]);
    expect(short.violations[0]!.message).toContain(`within ${needed - 1} steps`);
  });
});

describe("livelock over hand-built run ends", () => {
  it("reports exactly when the limit was hit", () => {
    expect(inv.liveness).toBe(false);
    expect(inv.check([], endOf(10, { atRest: false, limitHit: true, maxSteps: 10 }))).toMatchObject([
      {
        invariant: NAME,
        step: 10,
        message: "the run did not settle within 10 steps (a livelock or an unbounded loop); if the scenario really needs more, raise --max-steps",
      },
    ]);
    expect(inv.check([], endOf(10, { maxSteps: 10 }))).toEqual([]);
  });
});
