import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkVersion, SUPPORTED_EFFECT } from "../../../src/boundaries/effect/supportedVersion.ts";
import { InputError } from "../../../src/harness/errors.ts";
import { cli } from "../../support/cli.ts";

const out = () => mkdtempSync(join(tmpdir(), "racelab-effect-"));

/** `racelab explore ... --json` in a process of its own (the built CLI). */
function exploreJson(...args: string[]): { traceHash: string; violations: { invariant: string }[] } {
  const r = spawnSync(process.execPath, ["bin/racelab.mjs", "explore", ...args, "--json", "--out", out()], { encoding: "utf8" });
  return JSON.parse(r.stdout);
}

describe("racelab explore on the Effect runners (CLI)", () => {
  it("idle-prompt-async --runner effect-upstream --runs 2000 --seed 1 exits 1 with every-message-answered, and its replay command exits 1 with it", async () => {
    const r = await cli("explore", "idle-prompt-async", "--runner", "effect-upstream", "--runs", "2000", "--seed", "1", "--out", out());
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^✗ .*every-message-answered.* violated in schedule #\d+/m);
    const file = /Reproduce: +npx racelab replay (\S+)/.exec(r.out)![1]!;
    const replay = await cli("replay", file);
    expect(replay.code).toBe(1);
    expect(replay.out).toMatch(/reproduced: .*every-message-answered/);
  });

  it("gives the same traceHash for the same seed in two processes, and another for another seed", () => {
    const args = ["double-prompt-async", "--runner", "effect-fixed", "--strategy", "random", "--runs", "200"];
    const first = exploreJson(...args, "--seed", "1");
    const second = exploreJson(...args, "--seed", "1");
    const other = exploreJson(...args, "--seed", "2");
    expect(first.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(second.traceHash).toBe(first.traceHash);
    expect(other.traceHash).not.toBe(first.traceHash);
  });

  it("records granularity suspend in the failure file, and replay uses it", async () => {
    const dir = out();
    const r = await cli("explore", "idle-prompt-async", "--runner", "effect-upstream", "--granularity", "suspend", "--runs", "2000", "--out", dir, "--json");
    const v = JSON.parse(r.out).violations[0];
    expect(v.steps).toBeLessThan(40);
    const text = execFileSync(process.execPath, ["-e", `process.stdout.write(require("fs").readFileSync(${JSON.stringify(v.failureFile)}, "utf8"))`], { encoding: "utf8" });
    expect(JSON.parse(text).granularity).toBe("suspend");
    expect((await cli("replay", v.failureFile)).code).toBe(1);
  });

  it("an unsupported effect is one line naming the supported range (exit 2)", () => {
    expect(() => checkVersion("3.19.2")).toThrow(InputError);
    expect(() => checkVersion("3.19.2")).toThrow(`racelab/effect supports effect ${SUPPORTED_EFFECT}, but this project has effect 3.19.2`);
    expect(() => checkVersion(undefined)).toThrow(/needs the 'effect' package .*npm install effect/);
    for (const ok of ["4.0.0-beta.57", "4.0.0-beta.83", "4.0.6", "4.1.0"]) expect(() => checkVersion(ok)).not.toThrow();
  });
});
