import { describe, expect, it } from "vitest";
import { ScenariosMap, type BuiltinScenario } from "../../../src/harness/scenario/builtin/index.ts";
import { explore } from "../../../src/harness/explore/explore.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import { RunnersMap, type BuiltinRunner } from "../../../src/subjects/runner/variants/index.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";
import { parseScenario } from "../../../src/harness/scenario/parseScenario.ts";
import type { BuiltinObserver } from "../../../src/subjects/observers/index.ts";
import { resolveWorld } from "../../../src/harness/resolve.ts";

async function run(scenario: BuiltinScenario, runner: BuiltinRunner, runs: number, observer: BuiltinObserver = "fixed") {
  return explore({
    world: resolveWorld(ScenariosMap[scenario], observer, undefined),
    scenario: ScenariosMap[scenario],
    runner: RunnersMap[runner],
    strategy: random({ seed: 1 }),
    invariants: Object.values(InvariantsMap),
    runs,
    maxSteps: 1000,
    keepGoing: true,
    concurrency: 16,
  });
}

const invariantsFound = (result: Awaited<ReturnType<typeof run>>) =>
  new Set(result.failures.flatMap((f) => f.violations.map((v) => v.invariant)));

/**
 * What each scenario must catch in the upstream runner within 2000 schedules (seed 1), with
 * the `run` observer as upstream had it (main-idle) where the scenario has a run command.
 */
const expectedUpstream: Record<BuiltinScenario, string> = {
  "idle-prompt-async": "every-message-answered",
  "double-prompt-async": "runner-map-integrity",
  "busy-prompt-async": "every-message-answered",
  "torn-read": "every-message-answered",
  "client-message-id": "every-message-answered",
  "cancel-race": "cancel-stops-run",
  "halt-idle": "status-truthful",
  "background-child-run": "no-exit-while-child-busy",
  "child-wake-parent": "child-result-answered",
  "sync-child": "no-hang",
  "cancel-parent-with-children": "cancel-stops-run",
  "cancel-sync-child": "tool-part-states",
  "status-gap": "status-read-truthful",
};

describe("built-in scenarios", () => {
  for (const [scenario, invariant] of Object.entries(expectedUpstream) as [BuiltinScenario, string][]) {
    it(`${scenario}: upstream violates ${invariant} (seed 1), fixed passes 1000 schedules (seed 1)`, async () => {
      expect(invariantsFound(await run(scenario, "upstream", 2000, "main-idle"))).toContain(invariant);
      const fixed = await run(scenario, "fixed", 1000, "fixed");
      expect(fixed.failures.map((f) => f.violations[0]?.message)).toEqual([]);
      expect(fixed.schedulesRun).toBe(1000);
    });
  }

  it("idle-prompt-async: pr-21528 still loses a message through the lost wake-up it narrowed (seed 1)", async () => {
    const result = await run("idle-prompt-async", "pr-21528", 2000);
    const messages = result.failures.flatMap((f) => f.violations.map((v) => v.message));
    expect(messages.some((m) => /lost wake-up/.test(m))).toBe(true);
  });

  it("validates scenario data and says what to fix", () => {
    const base = ScenariosMap["idle-prompt-async"];
    expect(() => parseScenario({ ...base, sessions: ["s2"] })).toThrow(/uses session 's1', which is not in sessions \[s2\]/);
    expect(() => parseScenario({ ...base, invariants: ["nope"] })).toThrow(/unknown invariant 'nope'/);
    expect(() => parseScenario({ ...base, clients: [] })).toThrow(/clients/);
    expect(() => parseScenario({ ...base, name: "Bad Name" })).toThrow(/name: use lowercase/);
  });
});
