import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";
import { BUILTIN_EXPECTATIONS, missingRows, readExpectations } from "../../../src/harness/gate/expectations.ts";
import { gateChecks } from "../../../src/harness/gate/runGate.ts";
import { parseShard, selectShard } from "../../../src/harness/gate/shard.ts";


const tmp = () => mkdtempSync(join(tmpdir(), "racelab-gate-"));

/** The repo's table with one row's expectation replaced. */
function flipped(scenario: string, runner: string, expect: "pass" | string[]): string {
  const table = JSON.parse(readFileSync(BUILTIN_EXPECTATIONS, "utf8"));
  const row = table.rows.find((r: { scenario: string; runner: string }) => r.scenario === scenario && r.runner === runner);
  row.expect = expect;
  const path = join(tmp(), "expectations.json");
  writeFileSync(path, JSON.stringify(table));
  return path;
}

describe("the expectations table", () => {
  it("covers every scenario x runner x observer and names only known things", async () => {
    const table = await readExpectations(BUILTIN_EXPECTATIONS);
    expect(missingRows(table)).toEqual([]);
    expect(table.rows.some((r) => r.expect === "pass")).toBe(true);
    expect(table.rows.some((r) => r.expect !== "pass")).toBe(true);
  });

  it("rejects an unknown invariant with the row and the names to use (exit 2)", async () => {
    const r = await cli("gate", "--expectations", flipped("idle-prompt-async", "fixed", ["no-such-invariant"]), "--reports", tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/row 3 \(idle-prompt-async · fixed\): unknown invariant 'no-such-invariant'; use one of: .*every-message-answered/);
  });

  it("reports rows the table lacks as a failed coverage check", async () => {
    const table = await readExpectations(BUILTIN_EXPECTATIONS);
    const partial = { ...table, rows: table.rows.filter((r) => r.scenario !== "halt-idle") };
    expect(missingRows(partial)).toEqual([
      "halt-idle · upstream",
      "halt-idle · pr-21528",
      "halt-idle · fixed",
      "halt-idle · effect-upstream",
      "halt-idle · effect-pr-21528",
      "halt-idle · effect-fixed",
    ]);
  });
});

describe("--shard i/n", () => {
  it("splits the checks into disjoint shards whose union is the whole, for n = 1..5", async () => {
    const checks = gateChecks(await readExpectations(BUILTIN_EXPECTATIONS), "scenarios/regressions").map((c) => c.key);
    for (let n = 1; n <= 5; n++) {
      const shards = Array.from({ length: n }, (_, i) => selectShard(checks, { index: i + 1, count: n }));
      expect(shards.flat().sort()).toEqual([...checks].sort());
      expect(new Set(shards.flat()).size).toBe(checks.length);
    }
  });

  it("rejects 0/2, 3/2 and 'x' with how to write it", () => {
    for (const bad of ["0/2", "3/2", "x", "1/0"]) expect(() => parseShard(bad)).toThrow(/--shard must be i\/n with 1 <= i <= n/);
  });
});

describe("racelab gate", () => {
  it("exits 0 on the idle-prompt-async rows and writes junit.xml and summary.md with a Mermaid diagram", async () => {
    const reports = tmp();
    const r = await cli("gate", "--filter", "idle-prompt-async", "--reports", reports, "--regressions", tmp());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ gate: all 6 expectations hold/);
    const junit = readFileSync(join(reports, "junit.xml"), "utf8");
    expect(junit.match(/<testcase /g)).toHaveLength(6);
    expect(junit).not.toMatch(/<failure/);
    const summary = readFileSync(join(reports, "summary.md"), "utf8");
    expect(summary).toMatch(/✅ every expectation holds/);
    expect(summary).toMatch(/```mermaid\nsequenceDiagram/);
    expect(readdirSync(join(reports, "failures")).some((f) => f.endsWith(".html"))).toBe(true);
  });

  it("exits 1 when a fixed row is flipped to expect a bug: a bug that is not caught fails the gate", async () => {
    const reports = tmp();
    const r = await cli("gate", "--expectations", flipped("idle-prompt-async", "fixed", ["every-message-answered"]), "--filter", "idle-prompt-async · fixed", "--reports", reports);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/idle-prompt-async · fixed: every-message-answered not caught in 2000 schedules/);
    expect(readFileSync(join(reports, "junit.xml"), "utf8")).toMatch(/<failure message="every-message-answered not caught/);
  });

  it("exits 1 when an upstream row is flipped to pass, with the replay command of what failed", async () => {
    const reports = tmp();
    const r = await cli("gate", "--expectations", flipped("idle-prompt-async", "upstream", "pass"), "--filter", "idle-prompt-async · upstream", "--reports", reports);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/expected a pass/);
    expect(r.out).toMatch(/reproduce: npx racelab replay \S+\.json/);
    const summary = readFileSync(join(reports, "summary.md"), "utf8");
    expect(summary).toMatch(/### ❌ idle-prompt-async · upstream/);
    // The counterexample names its cause: the lost wake-up's join and the exit that did not read the message.
    const cause = /every-message-answered cause: (.*-> \S+ joined (\S+) at \d+ -> \2 exited without reading \S+ at \d+)/.exec(r.out);
    expect(cause, r.out).not.toBeNull();
    // Markdown and XML text both escape <, > and &.
    const escaped = cause![1]!.replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!);
    expect(summary).toContain(`  - cause: ${escaped}`);
    expect(readFileSync(join(reports, "junit.xml"), "utf8")).toContain(`  cause: ${escaped}`);
  });

  it("replays saved regressions: a reproduced bug holds, one marked as fixed that still fails does not", async () => {
    const regressions = tmp();
    const found = await cli("explore", "halt-idle", "--runner", "upstream", "--seed", "1", "--out", regressions);
    expect(found.code).toBe(1);
    const ok = await cli("gate", "--filter", "regression", "--regressions", regressions, "--reports", tmp());
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/✓ .*regression halt-idle--upstream--\S+\.json: reproduces/);
    expect(ok.out).toMatch(/✓ .*regression halt-idle--upstream--\S+\.json · fixed: no violation/);
    const [name] = readdirSync(regressions).filter((f) => f.endsWith(".json"));
    const path = join(regressions, name!);
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), expect: "pass" }));
    const marked = await cli("gate", "--filter", "regression", "--regressions", regressions, "--reports", tmp());
    expect(marked.code).toBe(1);
    expect(marked.out).toMatch(/the file expects a pass, but .* fails/);
  });

  it("appends the summary to $GITHUB_STEP_SUMMARY's file when given one", async () => {
    const step = join(tmp(), "step.md");
    writeFileSync(step, "before\n");
    const r = await cli("gate", "--filter", "double-prompt-async · fixed", "--reports", tmp(), "--step-summary", step);
    expect(r.code).toBe(0);
    expect(readFileSync(step, "utf8")).toMatch(/^before\n# racelab gate: ✅/);
  });
});
