import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";
import { toSpec } from "../../../src/boundaries/loaders/loadRunnerModule.ts";

const EXAMPLE = join(import.meta.dirname, "../../../examples/scenarios/my-idle-prompt-async.json");
const UPSTREAM_FAILS = ["every-message-answered", "prompt-gets-own-reply", "runner-map-integrity", "status-truthful"];

/** A project folder: the example scenario under scenarios/, and a table beside it with these rows. */
function project(rows: readonly object[]): { dir: string; table: string } {
  const dir = mkdtempSync(join(tmpdir(), "racelab-gate-scenario-"));
  mkdirSync(join(dir, "scenarios"));
  copyFileSync(EXAMPLE, join(dir, "scenarios", "mine.json"));
  const table = join(dir, "expectations.json");
  writeFileSync(table, JSON.stringify({ version: 1, seed: 1, runs: 300, maxSteps: 1000, strategy: "portfolio", rows }));
  return { dir, table };
}

describe("racelab gate with rows naming a scenario file", () => {
  it("explores the file's scenario, resolved relative to the table, and names the checks by its path", async () => {
    // Two spellings of the same file: both are relative to the table's folder, not to the working directory.
    const { dir, table } = project([
      { scenario: "./scenarios/mine.json", runner: "upstream", expect: UPSTREAM_FAILS },
      { scenario: "scenarios/mine.json", runner: "fixed", expect: "pass" },
    ]);
    const reports = join(dir, "reports");
    const r = await cli("gate", "--expectations", table, "--reports", reports);
    // Named as failure files record paths: relative to the working directory, absolute outside it.
    const shown = toSpec(join(dir, "scenarios", "mine.json"));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`✓ [1/3] ${shown} · upstream: caught ${UPSTREAM_FAILS.join(", ")}`);
    expect(r.out).toContain(`✓ [2/3] ${shown} · fixed: no violation in 300 schedules`);
    expect(r.out).toMatch(/coverage of scenarios x runners x observers: every scenario x runner/);
    expect(readFileSync(join(reports, "junit.xml"), "utf8")).toContain("mine.json · upstream");
  });

  it("replays a failure found on a file scenario as a saved regression, and explores it on fixed", async () => {
    const { dir, table } = project([{ scenario: "./scenarios/mine.json", runner: "fixed", expect: "pass" }]);
    const found = await cli("explore", join(dir, "scenarios", "mine.json"), "--runner", "upstream", "--out", join(dir, "regressions"));
    expect(found.code).toBe(1);
    const r = await cli("gate", "--expectations", table, "--filter", "regression", "--reports", join(dir, "reports"));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ .*regression my-idle-prompt-async--upstream--every-message-answered--\S+\.json: reproduces every-message-answered/);
    expect(r.out).toMatch(/✓ .*regression my-idle-prompt-async--upstream--\S+\.json · fixed: no violation/);
  });

  it("a row naming a missing scenario file is exit 2 with one line: the row, where it looked, and that paths are relative to the table", async () => {
    const { dir, table } = project([{ scenario: "./nope.json", runner: "fixed", expect: "pass" }]);
    const r = await cli("gate", "--expectations", table, "--reports", join(dir, "reports"));
    expect(r.code).toBe(2);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/row 1 \(\.\/nope\.json · fixed\): scenario file '\.\/nope\.json' not found \(looked at .*nope\.json\); paths are relative to the table's folder/);
  });

  it("a row naming a malformed scenario file is exit 2 with the row and the field", async () => {
    const { dir, table } = project([{ scenario: "./scenarios/bad.json", runner: "fixed", expect: "pass" }]);
    writeFileSync(join(dir, "scenarios", "bad.json"), JSON.stringify({ name: "bad", sessions: ["s1"], clients: [{ name: "a", actions: [{ kind: "prompt", session: "s1" }] }] }));
    const r = await cli("gate", "--expectations", table, "--reports", join(dir, "reports"));
    expect(r.code).toBe(2);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/row 1 \(\.\/scenarios\/bad\.json · fixed\): scenario file '\.\/scenarios\/bad\.json' is malformed: clients\.0\.actions\.0\.parts: missing/);
  });
});
