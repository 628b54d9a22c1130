import { describe, expect, it } from "vitest";
import { ScenariosMap, type BuiltinScenario } from "../../../src/harness/scenario/builtin/index.ts";
import { explore } from "../../../src/harness/explore/explore.ts";
import { runSchedule } from "../../../src/harness/explore/runSchedule.ts";
import { shrinkFailure } from "../../../src/harness/explore/shrink.ts";
import { resolveInvariants, resolveWorld } from "../../../src/harness/resolve.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";
import { replayChooser } from "../../../src/harness/scheduler/strategies/replay.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";

async function shrunkFirstFailure(name: BuiltinScenario) {
  const scenario = ScenariosMap[name];
  const invariants = resolveInvariants(scenario);
  const runner = RunnersMap.upstream;
  // Scenarios with a run command fail with the run observer upstream had.
  const world = resolveWorld(scenario, "main-idle", undefined);
  const found = await explore({ scenario, runner, strategy: random({ seed: 1 }), invariants, runs: 2000, maxSteps: 1000, keepGoing: false, concurrency: 16, world });
  const failure = found.failures[0]!;
  const primary = failure.violations[0]!.invariant;
  const shrunk = await shrinkFailure({ scenario, runner, invariants, primary, maxSteps: 1000, choices: failure.result.choices, world });
  return { scenario, invariants, runner, failure, primary, shrunk, world };
}

describe("shrinking (upstream, seed 1)", () => {
  for (const name of Object.keys(ScenariosMap) as BuiltinScenario[]) {
    it(`${name}: the shrunk schedule still fails the same invariant, replays strictly, and is no bigger`, async () => {
      const { invariants, runner, failure, primary, shrunk, world } = await shrunkFirstFailure(name);
      expect(shrunk.full.violations[0]?.invariant).toBe(primary);
      const replayed = await runSchedule({ scenario: shrunk.scenario, runner, invariants, chooser: replayChooser(shrunk.full.choices), maxSteps: 1000, world });
      expect(replayed.violations.map((v) => v.invariant)).toContain(primary);
      const { original: a, shrunk: b } = shrunk;
      expect(a.steps).toBe(failure.result.end.steps);
      const lexicographicallyNoBigger =
        b.actions < a.actions ||
        (b.actions === a.actions && (b.steps < a.steps || (b.steps === a.steps && b.preemptions <= a.preemptions)));
      expect(lexicographicallyNoBigger, JSON.stringify({ a, b })).toBe(true);
    });
  }

  it("cancel-race drops the client action the lost cancel does not need, and all preemptions", async () => {
    const { shrunk } = await shrunkFirstFailure("cancel-race");
    expect(shrunk.shrunk.actions).toBe(2);
    expect(shrunk.shrunk.preemptions).toBe(0);
    expect(shrunk.scenario.clients.flatMap((c) => c.actions.map((a) => a.kind))).toEqual(["prompt_async", "cancel"]);
  });

  it("double-prompt-async keeps the orphaned runner with far fewer preemptions", async () => {
    const { shrunk } = await shrunkFirstFailure("double-prompt-async");
    expect(shrunk.shrunk.preemptions).toBeLessThan(shrunk.original.preemptions);
  });

  it("refuses a schedule that does not fail", async () => {
    const scenario = ScenariosMap["idle-prompt-async"];
    const invariants = resolveInvariants(scenario);
    const ok = await runSchedule({ scenario, runner: RunnersMap.fixed, invariants, chooser: random({ seed: 1 }).next(0)!, maxSteps: 1000 });
    await expect(
      shrinkFailure({ scenario, runner: RunnersMap.fixed, invariants, primary: "every-message-answered", maxSteps: 1000, choices: ok.choices }),
    ).rejects.toThrow(/does not fail every-message-answered/);
  });
});
