import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { ReplayDivergence } from "../../../src/harness/errors.ts";
import { explore } from "../../../src/harness/explore/explore.ts";
import { replaySchedule } from "../../../src/harness/explore/replaySchedule.ts";
import { readScheduleFile, SCHEDULE_VERSION, writeScheduleFile, type ScheduleFile } from "../../../src/harness/explore/scheduleFile.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";

async function firstFailure(runner: "upstream" | "pr-21528"): Promise<ScheduleFile> {
  const scenario = ScenariosMap["idle-prompt-async"];
  const result = await explore({
    scenario,
    runner: RunnersMap[runner],
    strategy: random({ seed: 1 }),
    invariants: Object.values(InvariantsMap),
    runs: 2000,
    maxSteps: 1000,
    keepGoing: false,
    concurrency: 8,
  });
  const failure = result.failures[0];
  if (!failure) throw new Error("expected a failure");
  return {
    version: SCHEDULE_VERSION,
    kind: "racelab-schedule",
    scenario,
    runner,
    strategy: "random",
    seed: 1,
    run: failure.run,
    maxSteps: 1000,
    choices: failure.result.choices,
    violations: failure.violations.map(({ invariant, message, step }) => ({ invariant, message, step })),
  };
}

describe("replay round trip (idle-prompt-async, upstream, seed 1)", () => {
  it("writes a failure file that reads back and replays to the same violation and the same trace", async () => {
    const recorded = await firstFailure("upstream");
    const dir = mkdtempSync(join(tmpdir(), "racelab-"));
    const path = writeScheduleFile(dir, recorded);
    const file = readScheduleFile(path);
    expect(file).toEqual(recorded);
    const first = await replaySchedule(file);
    const second = await replaySchedule(file);
    expect(first.verdict).toBe("reproduced");
    expect(first.result.choices).toEqual(recorded.choices);
    expect(first.result.violations.map((v) => v.message)).toEqual(recorded.violations.map((v) => v.message));
    expect(second.result.trace).toEqual(first.result.trace);
  });

  it("says the run passes when the same schedule is replayed against the fixed runner, or diverges", async () => {
    const recorded = await firstFailure("upstream");
    try {
      const outcome = await replaySchedule({ ...recorded, runner: "fixed" });
      expect(outcome.verdict).toBe("passes");
    } catch (error) {
      expect(error).toBeInstanceOf(ReplayDivergence);
    }
  });
});

describe("divergence detection", () => {
  it("stops with a named divergence when a recorded choice is no longer offered", async () => {
    const recorded = await firstFailure("upstream");
    const choices = [...recorded.choices];
    choices[5] = "s9.run7 write assistant";
    const error = await replaySchedule({ ...recorded, choices }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayDivergence);
    expect((error as ReplayDivergence).step).toBe(6);
    expect((error as ReplayDivergence).message).toMatch(/the recording releases 's9.run7 write assistant' but the run offers only/);
  });

  it("stops with 'schedule ended early' when the recording is longer than the run", async () => {
    const recorded = await firstFailure("upstream");
    await expect(replaySchedule({ ...recorded, choices: [...recorded.choices, "extra"] })).rejects.toThrow(/schedule ended early/);
  });

  it("stops when the run goes on past a truncated recording", async () => {
    const recorded = await firstFailure("upstream");
    await expect(replaySchedule({ ...recorded, choices: recorded.choices.slice(0, 4) })).rejects.toThrow(/recording ends after 4 steps/);
  });
});

describe("schedule files", () => {
  const dir = mkdtempSync(join(tmpdir(), "racelab-bad-"));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("rejects a file that is not JSON, saying so", () => {
    expect(() => readScheduleFile(write("a.json", "nope"))).toThrow(/is not JSON/);
  });

  it("rejects a file with missing fields, naming them", () => {
    expect(() => readScheduleFile(write("b.json", '{"version":1,"kind":"racelab-schedule"}'))).toThrow(/malformed: .*runner/);
  });

  it("rejects another version", async () => {
    const recorded = await firstFailure("upstream");
    const path = write("c.json", JSON.stringify({ ...recorded, version: 99 }));
    expect(() => readScheduleFile(path)).toThrow(/version 99; this racelab reads version 1/);
  });

  it("rejects a file whose scenario is invalid", async () => {
    const recorded = await firstFailure("upstream");
    const path = write("d.json", JSON.stringify({ ...recorded, scenario: { ...recorded.scenario, sessions: [] } }));
    expect(() => readScheduleFile(path)).toThrow(/scenario in .* is malformed: sessions/);
  });

  it("rejects a missing file", () => {
    expect(() => readScheduleFile(join(dir, "missing.json"))).toThrow(/no such file/);
  });

  it("keeps the documented format: version, kind and labelled choices", async () => {
    const recorded = await firstFailure("upstream");
    const json = JSON.parse(readFileSync(writeScheduleFile(dir, recorded), "utf8"));
    expect(json.version).toBe(1);
    expect(json.kind).toBe("racelab-schedule");
    expect(json.choices[0]).toMatch(/^[ab]: prompt/);
  });
});
