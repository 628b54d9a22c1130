import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { fastCheckScheduler } from "../../../src/boundaries/adapters/fastCheckScheduler.ts";
import { runWorld } from "../../../src/boundaries/adapters/runWorld.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";

const scenario = ScenariosMap["idle-prompt-async"];
const invariants = Object.values(InvariantsMap);

function property(runner: keyof typeof RunnersMap) {
  return fc.asyncProperty(fc.scheduler(), async (s) => {
    const run = await runWorld(scenario, RunnersMap[runner], invariants, fastCheckScheduler(s));
    expect(run.steps).toBeGreaterThan(0);
    const names = run.violations.map((v) => v.invariant);
    expect(names, run.violations.map((v) => v.message).join("\n")).toEqual([]);
  });
}

describe("the same runner through the port under fast-check's fc.scheduler()", () => {
  it("finds the idle-prompt-async lost message in the upstream runner (seed 1)", async () => {
    const details = await fc.check(property("upstream"), { seed: 1, numRuns: 500 });
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/every-message-answered/);
  });

  it("finds nothing in the fixed runner (seed 1, 300 runs)", async () => {
    await fc.assert(property("fixed"), { seed: 1, numRuns: 300 });
  });
});
