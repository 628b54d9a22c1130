import { describe, expect, it } from "vitest";
import { ScenariosMap, type BuiltinScenario } from "../../../src/harness/scenario/builtin/index.ts";
import { replaySchedule } from "../../../src/harness/explore/replaySchedule.ts";
import { SCHEDULE_VERSION } from "../../../src/harness/explore/scheduleFile.ts";
import type { BuiltinObserver } from "../../../src/subjects/observers/index.ts";
import { RunnersMap, type BuiltinRunner } from "../../../src/subjects/runner/variants/index.ts";
import { httpBoundary } from "../../../src/boundaries/transport/http.ts";
import { exploreBuiltin } from "../../support/exploreBuiltin.ts";

async function verdict(name: BuiltinScenario, runner: BuiltinRunner, observer: BuiltinObserver, transport: "inproc" | "http", runs: number) {
  return (await exploreBuiltin(name, runner, observer, transport, runs)).result;
}

describe("--transport http (msw: the LLM provider and the server API)", () => {
  for (const name of Object.keys(ScenariosMap) as BuiltinScenario[]) {
    it(`${name}: the same verdict as in process, upstream (fails) and fixed (passes 60 schedules)`, async () => {
      const [inproc, overHttp] = await Promise.all([
        verdict(name, "upstream", "main-idle", "inproc", 1000),
        verdict(name, "upstream", "main-idle", "http", 1000),
      ]);
      expect(inproc.failures.length).toBe(1);
      expect(overHttp.failures.length).toBe(1);
      const fixedHttp = await verdict(name, "fixed", "fixed", "http", 60);
      expect(fixedHttp.failures.map((f) => f.violations[0]?.message)).toEqual([]);
      expect(fixedHttp.schedulesRun).toBe(60);
    });
  }

  it("is as deterministic as in process: same seed, same traceHash", async () => {
    const a = await verdict("child-wake-parent", "fixed", "fixed", "http", 40);
    const b = await verdict("child-wake-parent", "fixed", "fixed", "http", 40);
    expect(a.traceHash).toBe(b.traceHash);
    const c = await verdict("idle-prompt-async", "upstream", "fixed", "http", 40);
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it("streams each LLM reply as SSE chunks, each chunk a scheduling point", async () => {
    const run = await verdict("background-child-run", "upstream", "main-idle", "http", 10);
    const labels = run.failures[0]!.result.choices;
    expect(labels.some((l) => / llm chunk 1\/\d+$/.test(l))).toBe(true);
    // The run observer reads GET /event: its deliveries are points too.
    expect(labels.some((l) => l.startsWith("run.sse "))).toBe(true);
  });

  it("replays a failure recorded over HTTP exactly", async () => {
    const found = await verdict("idle-prompt-async", "upstream", "main-idle", "http", 100);
    const f = found.failures[0]!;
    const outcome = await replaySchedule({
      version: SCHEDULE_VERSION,
      kind: "racelab-schedule",
      scenario: ScenariosMap["idle-prompt-async"],
      runner: "upstream",
      transport: "http",
      strategy: "portfolio",
      seed: 1,
      run: f.run,
      maxSteps: 1000,
      choices: f.result.choices,
      violations: f.violations,
    });
    expect(outcome.verdict).toBe("reproduced");
    expect(outcome.result.choices).toEqual(f.result.choices);
  });

  it("treats an unhandled request as an error", async () => {
    const fetch = httpBoundary(RunnersMap.fixed.create({} as never), { point: async () => {}, now: () => 0, reply: () => ({ kind: "text", text: "ok" }) });
    await expect(fetch("http://elsewhere.test/v1/models")).rejects.toThrow(/unhandled request GET http:\/\/elsewhere.test\/v1\/models/);
  });
});
