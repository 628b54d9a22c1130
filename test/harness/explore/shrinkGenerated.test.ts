import { describe, expect, it } from "vitest";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import { explore } from "../../../src/harness/explore/explore.ts";
import { runSchedule } from "../../../src/harness/explore/runSchedule.ts";
import { shrinkFailure } from "../../../src/harness/explore/shrink.ts";
import { smallerScenarios, withIdsOfTheirRequests } from "../../../src/harness/explore/smallerScenarios.ts";
import { generateScenario } from "../../../src/harness/fuzz/swarmScenario.ts";
import { parseScenario } from "../../../src/harness/scenario/parseScenario.ts";
import { resolveInvariants, resolveStrategy } from "../../../src/harness/resolve.ts";
import { runSeed } from "../../../src/harness/scheduler/strategies/random.ts";
import { replayChooser } from "../../../src/harness/scheduler/strategies/replay.ts";
import { STRATEGY_DEFAULTS } from "../../../src/harness/scheduler/strategies/Strategy.ts";
import { createSessionRunner } from "../../../src/subjects/runner/createSessionRunner.ts";
import { fixed, fixedDesign } from "../../../src/subjects/runner/variants/fixed.ts";

/**
 * The fixed design without its pending flag: a prompt that joins a run which has read its
 * snapshot is lost (the lost wake-up). Without cancels, children or the run command, that
 * takes exactly two prompts to one session: one starts the run, the other joins it. So every
 * generated scenario of that kind that fails has a known minimal form of 2 client actions.
 */
const noPending: RunnerVariant = { name: "no-pending", description: "fixed without the pending flag", create: (port) => createSessionRunner(port, { ...fixedDesign, pendingRestart: false }) };

const SEED = 7;

/** The first `count` generated scenarios of campaign `seed` with none of the other ways to lose a message, on which noPending fails. */
async function failingScenarios(seed: number, count: number) {
  const out = [];
  for (let i = 0; out.length < count && i < 400; i++) {
    const { scenario, features } = generateScenario(seed, i);
    if (features.cancel || features.run || features.backgroundChild || features.syncChild) continue;
    const invariants = resolveInvariants(scenario);
    const found = await explore({ seed: SEED, scenario, runner: noPending, strategy: resolveStrategy("portfolio", { ...STRATEGY_DEFAULTS, seed: SEED }), invariants, runs: 200, maxSteps: 1000, keepGoing: false, concurrency: 1 });
    const failure = found.failures[0];
    if (failure) out.push({ index: i, scenario, invariants, failure });
  }
  return out;
}

describe("shrinking generated scenarios (delta debugging over sessions, actions, replies, tool calls)", () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: each lost wake-up shrinks to its 2 client actions, replays strictly, and the fixed runner passes the shrunk scenario`, async () => {
      const cases = await failingScenarios(seed, 3);
      expect(cases).toHaveLength(3);
      for (const { index, scenario, invariants, failure } of cases) {
        const primary = failure.violations[0]!.invariant;
        const shrunk = await shrinkFailure({ scenario, runner: noPending, invariants, primary, maxSteps: 1000, choices: failure.result.choices, budget: 1000, searchBudget: 300, randomSeed: runSeed(SEED, failure.run) });
        const actions = shrunk.scenario.clients.flatMap((c) => c.actions);
        expect(actions.length, `scenario #${index}: ${JSON.stringify(shrunk.scenario.clients)}`).toBe(2);
        expect(new Set(actions.map((a) => a.session)).size, `scenario #${index}`).toBe(1);
        expect(shrunk.full.violations[0]!.invariant).toBe(primary);
        // A valid scenario (it travels in schedule files), whose schedule replays strictly.
        expect(() => parseScenario(shrunk.scenario, "the shrunk scenario")).not.toThrow();
        const again = await runSchedule({ scenario: shrunk.scenario, runner: noPending, invariants, chooser: replayChooser(shrunk.full.choices), maxSteps: 1000, randomSeed: runSeed(SEED, failure.run) });
        expect(again.violations.map((v) => v.invariant)).toContain(primary);
        const onFixed = await explore({ seed: SEED, scenario: shrunk.scenario, runner: fixed, strategy: resolveStrategy("portfolio", { ...STRATEGY_DEFAULTS, seed: SEED }), invariants, runs: 200, maxSteps: 1000, keepGoing: false, concurrency: 1 });
        expect(onFixed.failures, `scenario #${index} on fixed`).toEqual([]);
      }
    }, 120_000);
  }

  it("every smaller scenario is valid: children whose creating call was cut go with their scripts", () => {
    let checked = 0;
    for (let i = 0; i < 40; i++) {
      const { scenario } = generateScenario(1, i);
      for (const smaller of smallerScenarios(scenario)) {
        expect(() => parseScenario(smaller, `a smaller scenario of #${i}`)).not.toThrow();
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe("names after shrinking", () => {
  it("a client-supplied id that carries its request's name follows the request when actions before it are dropped", () => {
    const scenario = parseScenario({
      name: "ids",
      sessions: ["s1"],
      clients: [
        { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["x"], messageID: "msg_00000000a2" }] },
        { name: "b", actions: [{ kind: "cancel", session: "s1" }, { kind: "prompt_async", session: "s1", parts: ["y"], messageID: "msg_zzzzzzzzb3" }, { kind: "prompt", session: "s1", parts: ["z"], messageID: "custom" }] },
      ],
    });
    const renamed = withIdsOfTheirRequests(scenario)!;
    expect(renamed.clients.map((c) => c.actions.map((a) => (a.kind === "cancel" ? "-" : a.messageID)))).toEqual([["msg_00000000a1"], ["-", "msg_zzzzzzzzb2", "custom"]]);
    expect(withIdsOfTheirRequests(renamed)).toBeUndefined();
  });
});
