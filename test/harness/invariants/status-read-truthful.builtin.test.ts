import { describe, it } from "vitest";
import { explore } from "../../../src/harness/explore/explore.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import { resolveInvariants, resolveWorld } from "../../../src/harness/resolve.ts";
import { ScenariosMap, type BuiltinScenario } from "../../../src/harness/scenario/builtin/index.ts";
import { parseScenario } from "../../../src/harness/scenario/parseScenario.ts";
import type { Scenario } from "../../../src/harness/scenario/schema.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";
import { expectClean } from "./support.ts";

/**
 * Only status-gap has a client that reads, so on the other scenarios status-read-truthful
 * has nothing to judge. These add one: a client that reads each declared session three
 * times and never acts (`ifStatus: "retry"`: no runner here publishes retry), so every read
 * lands somewhere else in the race and the scenario's own course is unchanged.
 */
function withReader(scenario: Scenario): Scenario {
  const reads = scenario.sessions.flatMap((session) => [1, 2, 3].map(() => ({ kind: "cancel" as const, session, ifStatus: "retry" as const })));
  return parseScenario({ ...scenario, name: `${scenario.name}-read`, clients: [...scenario.clients, { name: "reader", actions: reads }] });
}

describe("status-read-truthful does not false-alarm on fixed", () => {
  for (const name of Object.keys(ScenariosMap) as BuiltinScenario[]) {
    it.each([
      ["inproc", 400],
      ["http", 40],
    ] as const)(`${name} with a reading client, %s (%i schedules)`, async (transport, runs) => {
      const scenario = withReader(ScenariosMap[name]);
      const invariants = resolveInvariants(scenario);
      const read = InvariantsMap["status-read-truthful"];
      const result = await explore({
        scenario,
        runner: RunnersMap.fixed,
        world: resolveWorld(scenario, "fixed", transport),
        strategy: random({ seed: 1 }),
        // Scenarios that name their invariants get this one too.
        invariants: invariants.includes(read) ? invariants : [...invariants, read],
        runs,
        maxSteps: 1000,
        keepGoing: false,
        concurrency: 8,
      });
      expectClean(result, runs);
    });
  }
});
