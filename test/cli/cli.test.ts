import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenariosMap } from "../../src/harness/scenario/builtin/index.ts";
import { cli } from "../support/cli.ts";
import { runSchedule } from "../../src/harness/explore/runSchedule.ts";
import { SCHEDULE_VERSION, writeScheduleFile } from "../../src/harness/explore/scheduleFile.ts";
import { InvariantsMap } from "../../src/harness/invariants/index.ts";
import { RunnersMap } from "../../src/subjects/runner/variants/index.ts";
import { random } from "../../src/harness/scheduler/strategies/random.ts";


const outDir = () => mkdtempSync(join(tmpdir(), "racelab-cli-"));

describe("racelab explore", () => {
  it("exits 1 on upstream idle-prompt-async (seed 1), printing the invariant, a timeline, the file and the replay command", async () => {
    const dir = outDir();
    const r = await cli("explore", "idle-prompt-async", "--runner", "upstream", "--runs", "2000", "--seed", "1", "--out", dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/every-message-answered/);
    expect(r.out).toMatch(/Timeline \(\d+ steps, shrunk\):/);
    expect(r.out).toMatch(/Shrunk in \d+ runs: 2 -> \d client actions, \d+ -> \d+ steps, \d+ -> \d+ preemptions/);
    expect(r.out).toMatch(/^\s+1 {2}\S/m);
    const replay = /Reproduce:\s+npx racelab replay (\S+)/.exec(r.out);
    expect(replay).not.toBeNull();
    const file = replay![1]!;
    expect(JSON.parse(readFileSync(file, "utf8")).violations[0].invariant).toBe("every-message-answered");
    const again = await cli("replay", file);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/reproduced: .*every-message-answered/);
  });

  it("exits 0 on the fixed runner and reports the schedules run", async () => {
    const r = await cli("explore", "idle-prompt-async", "--runner", "fixed", "--runs", "300", "--out", outDir());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no violation in 300 schedules/);
  });

  it("--json prints one object with the documented fields; same seed, same traceHash; other seed, other hash", async () => {
    const args = ["explore", "double-prompt-async", "--runner", "fixed", "--runs", "200", "--json", "--out", outDir()];
    const a = JSON.parse((await cli(...args, "--seed", "1")).out);
    const b = JSON.parse((await cli(...args, "--seed", "1")).out);
    const c = JSON.parse((await cli(...args, "--seed", "2")).out);
    expect(Object.keys(a)).toEqual(
      expect.arrayContaining(["scenario", "runner", "strategy", "seed", "schedulesRun", "violations", "elapsedMs", "schedulesPerSecond", "traceHash"]),
    );
    expect(a.schedulesRun).toBe(200);
    expect(a.traceHash).toBe(b.traceHash);
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it("--json lists each violation with its failure file and step count", async () => {
    const r = await cli("explore", "double-prompt-async", "--runner", "upstream", "--runs", "2000", "--json", "--out", outDir());
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.violations.length).toBeGreaterThan(0);
    expect(json.violations[0]).toMatchObject({ invariant: expect.any(String), failureFile: expect.stringMatching(/\.json$/), steps: expect.any(Number) });
  });
});

describe("bad input exits 2 with one clear line and no stack trace", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown scenario", ["explore", "nope", "--runner", "upstream"], /unknown scenario 'nope'; use one of: idle-prompt-async/],
    ["unknown runner", ["explore", "idle-prompt-async", "--runner", "nope"], /unknown runner 'nope'; use one of: upstream, pr-21528, fixed/],
    ["unknown strategy", ["explore", "idle-prompt-async", "--runner", "fixed", "--strategy", "nope"], /unknown strategy 'nope'/],
    ["negative --runs", ["explore", "idle-prompt-async", "--runner", "fixed", "--runs", "-5"], /--runs takes a whole number >= 1, got '-5'/],
    ["non-numeric --seed", ["explore", "idle-prompt-async", "--runner", "fixed", "--seed", "abc"], /--seed takes a whole number/],
    ["missing --runner", ["explore", "idle-prompt-async"], /required option '--runner <name>'/],
    ["unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
    ["missing replay file", ["replay", "/nonexistent/x.json"], /no such file/],
  ];
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
    });
  }

  it("a malformed failure file", async () => {
    const path = join(outDir(), "bad.json");
    writeFileSync(path, JSON.stringify({ version: 1, kind: "racelab-schedule", runner: "upstream" }));
    const r = await cli("replay", path);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is malformed: /);
  });
});

describe("racelab replay", () => {
  async function upstreamFailure(dir: string) {
    const found = await cli("explore", "double-prompt-async", "--runner", "upstream", "--runs", "2000", "--out", dir);
    const file = /Reproduce:\s+npx racelab replay (\S+)/.exec(found.out)![1]!;
    return JSON.parse(readFileSync(file, "utf8"));
  }

  it("exits 3 on divergence, naming the step and the recorded choice", async () => {
    const dir = outDir();
    const data = await upstreamFailure(dir);
    const diverged = join(dir, "diverged.json");
    writeFileSync(diverged, JSON.stringify({ ...data, choices: ["z: nothing s1", ...data.choices] }));
    const d = await cli("replay", diverged);
    expect(d.code).toBe(3);
    expect(d.err).toMatch(/replay diverged at step 1: .*'z: nothing s1'/);
  });

  it("exits 1 and says so when the run fails with other invariants than recorded", async () => {
    const dir = outDir();
    const data = await upstreamFailure(dir);
    const other = join(dir, "other.json");
    writeFileSync(other, JSON.stringify({ ...data, violations: [{ invariant: "no-hang", message: "x", step: 1 }] }));
    const r = await cli("replay", other);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/the recorded no-hang did not reproduce, but the run now fails with/);
  });

  it("exits 0 when the recorded schedule now passes", async () => {
    const dir = outDir();
    const scenario = ScenariosMap["idle-prompt-async"];
    const run = await runSchedule({
      scenario,
      runner: RunnersMap.fixed,
      invariants: Object.values(InvariantsMap),
      chooser: random({ seed: 1 }).next(0)!,
      maxSteps: 1000,
    });
    const path = writeScheduleFile(dir, {
      version: SCHEDULE_VERSION,
      kind: "racelab-schedule",
      scenario,
      runner: "fixed",
      strategy: "random",
      seed: 1,
      run: 0,
      maxSteps: 1000,
      choices: run.choices,
      violations: [{ invariant: "every-message-answered", message: "was lost before the fix", step: 3 }],
    });
    const r = await cli("replay", path);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/the run now passes \(recorded: every-message-answered\)/);
  });
});

describe("the racelab bin", () => {
  it("runs the compiled package through node (bin -> dist) and lists every registry", () => {
    const out = execFileSync(process.execPath, ["bin/racelab.mjs", "list", "--json"], { encoding: "utf8" });
    const list = JSON.parse(out);
    expect(list.runners.map((r: { name: string }) => r.name)).toEqual(["upstream", "pr-21528", "fixed", "effect-upstream", "effect-pr-21528", "effect-fixed"]);
    expect(list.strategies.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(["random", "pct", "replay"]));
    expect(list.invariants.length).toBeGreaterThanOrEqual(8);
    expect(list.scenarios.length).toBeGreaterThanOrEqual(6);
  });
});

describe("racelab shrink and shrunk failure files", () => {
  it("explore writes shrunk failures and --json reports original and shrunk step counts (cancel-race, seed 1)", async () => {
    const r = await cli("explore", "cancel-race", "--runner", "upstream", "--runs", "2000", "--json", "--out", outDir());
    const v = JSON.parse(r.out).violations[0];
    expect(v).toMatchObject({ originalSteps: expect.any(Number), shrunkSteps: expect.any(Number), shrink: { attempts: expect.any(Number) } });
    expect(v.shrunkSteps).toBeLessThan(v.originalSteps);
    const file = JSON.parse(readFileSync(v.failureFile, "utf8"));
    expect(file.shrink.shrunk.steps).toBe(file.choices.length);
    expect(file.choices).toHaveLength(v.shrunkSteps);
  });

  it("shrink <file> shrinks an unshrunk failure next to it and the result replays (cancel-race, seed 1)", async () => {
    const dir = outDir();
    const found = await cli("explore", "cancel-race", "--runner", "upstream", "--runs", "2000", "--no-shrink", "--out", dir);
    const file = /Failure file: (\S+)/.exec(found.out)![1]!;
    expect(JSON.parse(readFileSync(file, "utf8")).shrink).toBeUndefined();
    const s = await cli("shrink", file);
    expect(s.code).toBe(1);
    expect(s.out).toMatch(/3 -> 2 client actions/);
    const shrunk = /Shrunk file: (\S+)/.exec(s.out)![1]!;
    expect(shrunk).toMatch(/-shrunk\.json$/);
    expect((await cli("replay", shrunk)).code).toBe(1);
  });

  it("shrink exits 0 for a file that records no violation", async () => {
    const path = join(outDir(), "pass.json");
    const scenario = ScenariosMap["idle-prompt-async"];
    writeFileSync(path, JSON.stringify({ version: 1, kind: "racelab-schedule", scenario, runner: "fixed", strategy: "random", seed: 1, run: 0, maxSteps: 1000, choices: [], violations: [] }));
    const r = await cli("shrink", path);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/nothing to shrink/);
  });
});
