import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import { InputError } from "../../../src/harness/errors.ts";
import { explore } from "../../../src/harness/explore/explore.ts";
import { resolveInvariants } from "../../../src/harness/resolve.ts";
import { loadScenarioFile } from "../../../src/harness/scenario/loadScenarioFile.ts";
import { parseScenario } from "../../../src/harness/scenario/parseScenario.ts";
import type { Scenario } from "../../../src/harness/scenario/schema.ts";
import { dfs } from "../../../src/harness/scheduler/strategies/dfs.ts";
import { portfolio } from "../../../src/harness/scheduler/strategies/portfolio.ts";
import { createSessionRunner } from "../../../src/subjects/runner/createSessionRunner.ts";
import { fixed, fixedDesign } from "../../../src/subjects/runner/variants/fixed.ts";
import { upstream } from "../../../src/subjects/runner/variants/upstream.ts";

const EXAMPLES = fileURLToPath(new URL("../../../examples/scenarios/", import.meta.url));

/** The fixed design without its lease: each instance runs its own loop, as upstream does. */
const noLease: RunnerVariant = { ...fixed, name: "fixed-no-lease", create: (port) => createSessionRunner(port, { ...fixedDesign, sessionLease: false }) };

async function search(scenario: Scenario, runner: RunnerVariant, preemptions: number) {
  const strategy = dfs({ seed: 1, preemptions });
  const result = await explore({ scenario, runner, strategy, invariants: resolveInvariants(scenario), runs: 50_000, maxSteps: 1000, keepGoing: true, concurrency: 1 });
  return { result, violated: new Set(result.failures.flatMap((f) => f.violations.map((v) => v.invariant))), complete: Boolean(strategy.summary?.()["complete"]) };
}

describe("two server instances over one store (examples/scenarios/two-instances.json)", () => {
  it("upstream runs two loops on one session, one per instance; so does the fixed design without its lease", async () => {
    const scenario = await loadScenarioFile("./two-instances.json", { cwd: EXAMPLES });
    expect(scenario.instances).toBe(2);
    for (const runner of [upstream, noLease]) {
      const { violated, result } = await search(scenario, runner, 2);
      expect([...violated], runner.name).toContain("one-loop-per-session");
      const loops = result.failures.flatMap((f) => f.violations).find((v) => v.invariant === "one-loop-per-session")!;
      // The second instance's run is named as its own: s1@2.run1 beside s1.run1.
      expect(loops.message).toMatch(/two loops on s1 at step \d+: s1(@2)?\.run1 started while s1(@2)?\.run1/);
      expect(loops.message).toContain("@2.run1");
    }
  });

  it("the fixed design passes: the session's lease in the shared store keeps one loop, and the other instance's prompt is answered by it (DFS complete at bound 3, and 2,000 portfolio schedules)", async () => {
    const scenario = await loadScenarioFile("./two-instances.json", { cwd: EXAMPLES });
    const { violated, complete, result } = await search(scenario, fixed, 3);
    expect(complete).toBe(true);
    expect(result.schedulesRun).toBeGreaterThan(100);
    expect([...violated]).toEqual([]);
    const wide = await explore({ scenario, runner: fixed, strategy: portfolio({ seed: 3 }), invariants: resolveInvariants(scenario), runs: 2000, maxSteps: 1000, keepGoing: true, concurrency: 4 });
    expect(wide.failures).toEqual([]);
  });

  it("refuses a runner that keeps no shared store, and scenarios it cannot model, each in one line (InputError)", async () => {
    const scenario = await loadScenarioFile("./two-instances.json", { cwd: EXAMPLES });
    const single: RunnerVariant = { name: "single", description: "no instances", create: fixed.create };
    await expect(explore({ scenario, runner: single, strategy: portfolio({ seed: 1 }), invariants: resolveInvariants(scenario), runs: 10, maxSteps: 1000, keepGoing: false, concurrency: 1 })).rejects.toThrow(
      new InputError("runner 'single' does not support several instances over one store (its variant does not declare 'instances'), which scenario 'two-instances' needs; use one instance or a runner that does (upstream, pr-21528, fixed)"),
    );
    const base = { name: "x", sessions: ["s1"], instances: 2, clients: [{ name: "a", instance: 3, actions: [{ kind: "prompt", session: "s1", parts: ["hi"] }] }] };
    expect(() => parseScenario(base)).toThrow(/client 'a' talks to instance 3, but the scenario has 2/);
    expect(() => parseScenario({ ...base, clients: [], run: { session: "s1", parts: ["go"] } })).toThrow(/run command with several instances is not modelled/);
    const child = { ...base, clients: [{ name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["hi"] }] }], llm: { s1: [{ toolCalls: [{ tool: "task", child: { session: "c1", parts: ["sub"] } }] }] } };
    expect(() => parseScenario(child)).toThrow(/child sessions with several instances are not modelled/);
  });
});
