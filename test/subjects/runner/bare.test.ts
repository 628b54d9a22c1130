import { describe, expect, it } from "vitest";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { bareScheduler } from "../../../src/boundaries/adapters/bareScheduler.ts";
import { runWorld } from "../../../src/boundaries/adapters/runWorld.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";
import { defineScenario } from "../../../src/harness/scenario/parseScenario.ts";

const invariants = Object.values(InvariantsMap);

describe("reference runner, bare (every point resolves at once)", () => {
  for (const runner of Object.values(RunnersMap)) {
    it(`${runner.name} answers a lone prompt with a finished reply to it`, async () => {
      const scenario = defineScenario({
        name: "lone-prompt",
        sessions: ["s1"],
        clients: [{ name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["hello"] }] }],
      });
      const run = await runWorld(scenario, runner, invariants, bareScheduler());
      expect(run.violations).toEqual([]);
      const ret = run.trace.find((e) => e.type === "client.return");
      expect(ret?.type === "client.return" && ret.message?.role).toBe("assistant");
      expect(ret?.type === "client.return" && ret.message?.finish).toBe("stop");
    });
  }

  it("the fixed runner passes every built-in scenario bare", async () => {
    for (const scenario of Object.values(ScenariosMap)) {
      const run = await runWorld(scenario, RunnersMap.fixed, invariants, bareScheduler());
      expect(run.violations, scenario.name).toEqual([]);
    }
  });

  it("upstream's halt path publishes idle while Running even bare (halt-idle)", async () => {
    const run = await runWorld(ScenariosMap["halt-idle"], RunnersMap.upstream, invariants, bareScheduler());
    expect(run.violations.map((v) => v.invariant)).toContain("status-truthful");
  });
});
