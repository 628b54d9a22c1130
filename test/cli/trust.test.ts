import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../support/cli.ts";

const BIN = join(import.meta.dirname, "../../bin/racelab.mjs");
const run = (command: string) => spawnSync("bash", ["-c", command], { encoding: "utf8", cwd: join(import.meta.dirname, "../.."), env: { ...process.env, NO_COLOR: "1" } });
const dir = () => mkdtempSync(join(tmpdir(), "racelab-trust-"));

// No vacuous verdicts, faults on the right side, and a command line that behaves like one.
describe("racelab's command line: verdicts users can trust", () => {
  it("fuzz --time 1 that finishes no scenario is exit 2 with one line, not a green verdict", () => {
    const r = run(`node ${BIN} fuzz --runner upstream --time 1 --out ${dir()}`);
    if (r.status === 2) {
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/nothing was tested; give it more time \(--time\) or a count \(--scenarios 1\)/);
    } else {
      // A machine fast enough to finish a scenario in 1 s finds upstream's bugs: exit 1, never 0.
      expect(r.status).toBe(1);
    }
  });

  it("gate --filter zzzz is exit 2 with one line", async () => {
    const r = await cli("gate", "--filter", "zzzz", "--reports", dir());
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/no check's name contains 'zzzz', so nothing was tested/);
  });

  it("gate --regressions naming a missing folder is exit 2, not every regression skipped", async () => {
    const r = await cli("gate", "--regressions", "/nope", "--reports", dir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--regressions \/nope: no such folder/);
  });

  it("gate --step-summary under a missing folder, or naming a folder, is exit 2 before any check runs", async () => {
    const missing = await cli("gate", "--step-summary", "/nonexistent/x.md", "--reports", dir());
    expect(missing.code).toBe(2);
    expect(missing.out).toBe("");
    expect(missing.err).toMatch(/--step-summary \/nonexistent\/x\.md: the folder \/nonexistent does not exist/);
    const folder = await cli("gate", "--step-summary", dir(), "--reports", dir());
    expect(folder.code).toBe(2);
    expect(folder.err).toMatch(/is a folder; it must name a file/);
  });

  it("racelab list | head -1 prints one line and no stack trace", () => {
    const r = run(`node ${BIN} list | head -1`);
    expect(r.stdout).toBe("scenarios:\n");
    expect(r.stderr).toBe("");
  });

  it("explore --out naming a file is exit 2 with one line, after printing the violation it found", async () => {
    const file = join(dir(), "README.md");
    writeFileSync(file, "x");
    const r = await cli("explore", "idle-prompt-async", "--runner", "upstream", "--out", file);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/✗ idle-prompt-async · runner upstream .*every-message-answered violated in schedule #\d+/);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/--out .*README\.md: .* is a file, not a folder/);
  });

  it("explore --out under /proc is exit 2, not a hang", async () => {
    const r = await cli("explore", "idle-prompt-async", "--runner", "upstream", "--out", "/proc/x");
    expect(r.code).toBe(2);
    expect(r.err.split("\n")).toHaveLength(1);
  });

  it("--version prints the package's version", () => {
    const r = run(`node ${BIN} --version`);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")).version);
  });

  it("--help lists every exit code and every environment variable", async () => {
    const r = await cli("--help");
    for (const code of ["0", "1", "2", "3", "70", "130"]) expect(r.out).toMatch(new RegExp(`^  ${code} +\\S`, "m"));
    for (const name of ["RACELAB_STEP_TIMEOUT_MS", "RACELAB_MEMORY_LIMIT_MB", "RACELAB_LOAD_TIMEOUT_MS", "RACELAB_SANDBOX", "RACELAB_DEBUG", "GITHUB_STEP_SUMMARY", "NO_COLOR"]) expect(r.out).toContain(name);
  });

  it("a bad environment value is exit 2 with one line", async () => {
    process.env.RACELAB_STEP_TIMEOUT_MS = "soon";
    try {
      const r = await cli("explore", "idle-prompt-async", "--runner", "fixed", "--runs", "5", "--out", dir());
      expect(r.code).toBe(2);
      expect(r.err).toBe("racelab: RACELAB_STEP_TIMEOUT_MS must be a whole number >= 10, got 'soon'");
    } finally {
      delete process.env.RACELAB_STEP_TIMEOUT_MS;
    }
  });

  it("fuzz --workers above the cores is clamped with a warning", async () => {
    const r = await cli("fuzz", "--runner", "fixed", "--workers", "999", "--scenarios", "1", "--budget", "5", "--out", dir());
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/--workers 999 is more than this machine's \d+ cores; using \d+/);
    expect(r.out).toMatch(/✓ no failure in 1 generated scenario \(5 schedules\)/);
  });
});
