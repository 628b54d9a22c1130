import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The built CLI, spawned as a user runs it (run `npm run build` first): scenario modules load in
// a worker thread of the compiled package, with tsx registered there, as they do for users.
const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/racelab.mjs");
const EXAMPLE_JSON = "./examples/scenarios/my-idle-prompt-async.json";
const EXAMPLE_TS = "./examples/scenarios/review-during-tool-turn.ts";
const tmp = () => mkdtempSync(join(tmpdir(), "racelab-scenario-cli-"));

function racelab(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...options.env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A folder of bad scenario files, one per way a file can be wrong. */
function badFiles(): string {
  const dir = tmp();
  const scenario = (actions: unknown[]) => JSON.stringify({ name: "bad", sessions: ["s1"], clients: [{ name: "a", actions }] });
  writeFileSync(join(dir, "trailing-comma.json"), '{\n  "name": "x",\n  "sessions": ["s1"],\n}\n');
  writeFileSync(join(dir, "kind.json"), scenario([{ kind: "promptt", session: "s1", parts: ["hi"] }]));
  writeFileSync(join(dir, "no-parts.json"), scenario([{ kind: "prompt", session: "s1" }]));
  writeFileSync(join(dir, "session.json"), scenario([{ kind: "prompt", session: "s2", parts: ["hi"] }]));
  writeFileSync(join(dir, "scenario.yaml"), "name: x\n");
  writeFileSync(join(dir, "syntax.ts"), "const x: number = ;\nexport default x;\n");
  writeFileSync(join(dir, "no-export.ts"), "export const foo = 1;\n");
  writeFileSync(join(dir, "throws.mjs"), 'throw new Error("no scenario today");\n');
  writeFileSync(join(dir, "spin.mjs"), "while (true) {}\n");
  mkdirSync(join(dir, "folder.json"));
  // root reads a file whatever its mode: there, a file whose read fails (EIO) stands in for it.
  if (process.getuid?.() === 0) symlinkSync("/proc/self/mem", join(dir, "unreadable.json"));
  else {
    writeFileSync(join(dir, "unreadable.json"), "{}");
    chmodSync(join(dir, "unreadable.json"), 0o000);
  }
  return dir;
}

describe("explore <scenario file>: every bad file is exit 2 with one line", () => {
  const dir = badFiles();
  const cases: [string, string, RegExp, Record<string, string>?][] = [
    ["a missing file", "./missing.json", /scenario file '\.\/missing\.json' not found \(looked at .*missing\.json\); pass a \.json scenario/],
    ["an unreadable file", "./unreadable.json", /cannot read scenario file '\.\/unreadable\.json': (permission denied|EIO)/],
    ["a folder", "./folder.json", /scenario file '\.\/folder\.json' is a folder/],
    ["JSON that does not parse, with file:line:column", "./trailing-comma.json", /scenario file '\.\/trailing-comma\.json' is not valid JSON: trailing-comma\.json:4:1: expected a property after ',' \(JSON has no trailing commas\)/],
    ["a field the schema rejects", "./kind.json", /scenario file '\.\/kind\.json' is malformed: clients\.0\.actions\.0\.kind: Invalid discriminator value\. Expected 'prompt' \| 'prompt_async' \| 'cancel'/],
    ["a field left out", "./no-parts.json", /is malformed: clients\.0\.actions\.0\.parts: missing; add it \(expected array\)/],
    ["an undeclared session", "./session.json", /scenario file '\.\/session\.json': client 'a' uses session 's2', which is not in sessions \[s1\]/],
    ["a file of another kind", "./scenario.yaml", /racelab reads a \.json scenario or schedule file, or a \.ts\/\.js module/],
    ["a module that does not compile, with file:line:column", "./syntax.ts", /scenario module '\.\/syntax\.ts' failed to load: syntax\.ts:1:\d+: /],
    ["a module without a scenario export", "./no-export.ts", /scenario module '\.\/no-export\.ts' exports no scenario \(it exports foo\); export the scenario as the module's default export/],
    ["a module that throws", "./throws.mjs", /scenario module '\.\/throws\.mjs' failed to load: no scenario today/],
    ["a module whose top level never returns", "./spin.mjs", /scenario module '\.\/spin\.mjs' did not finish loading within 500 ms/, { RACELAB_LOAD_TIMEOUT_MS: "500" }],
  ];
  for (const [what, file, message, env] of cases) {
    it(what, () => {
      const r = racelab(["explore", file, "--runner", "fixed", "--out", tmp()], { cwd: dir, ...(env && { env }) });
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/^\s+at /m);
    });
  }
});

describe("explore <scenario file> on the examples", () => {
  it(`${EXAMPLE_JSON}: upstream loses the reviewer's message (exit 1), and the failure replays and shrinks from its file alone`, () => {
    const out = tmp();
    const r = racelab(["explore", EXAMPLE_JSON, "--runner", "upstream", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ my-idle-prompt-async · runner upstream .*every-message-answered violated/);
    expect(r.out).toMatch(/request reviewer1, prompt_async.*lost wake-up/);
    const file = /Reproduce:\s+npx racelab replay (\S+)/.exec(r.out)![1]!;
    // Elsewhere, with no scenario file in sight: the schedule file carries the scenario.
    const replay = racelab(["replay", file], { cwd: tmp() });
    expect(replay.code).toBe(1);
    expect(replay.out).toMatch(/reproduced: every-message-answered/);
    const shrink = racelab(["shrink", file, "--out", tmp()], { cwd: tmp() });
    expect(shrink.code).toBe(1);
    expect(shrink.out).toMatch(/Shrunk file: \S+my-idle-prompt-async--upstream--every-message-answered/);
  });

  it(`${EXAMPLE_JSON}: fixed passes (exit 0)`, () => {
    const r = racelab(["explore", EXAMPLE_JSON, "--runner", "fixed", "--out", tmp()]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ my-idle-prompt-async · runner fixed .*no violation in 1000 schedules/);
  });

  it(`${EXAMPLE_TS}: upstream fails, fixed passes`, () => {
    const broken = racelab(["explore", EXAMPLE_TS, "--runner", "upstream", "--out", tmp()]);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/✗ review-during-tool-turn · runner upstream .*every-message-answered/);
    const fixed = racelab(["explore", EXAMPLE_TS, "--runner", "fixed", "--runs", "300", "--out", tmp()]);
    expect(fixed.code).toBe(0);
    expect(fixed.out).toMatch(/no violation in 300 schedules/);
  });

  it("a file scenario reaches the sandbox worker as data (RACELAB_SANDBOX=always)", () => {
    const r = racelab(["explore", EXAMPLE_JSON, "--runner", "upstream", "--out", tmp()], { env: { RACELAB_SANDBOX: "always" } });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/every-message-answered violated/);
  });

  it("a schedule file that fuzz --save wrote explores again, on upstream and on fixed", () => {
    const saved = "scenarios/regressions/fuzz-1-0--upstream--cancel-stops-run--seed1-run0.json";
    const upstream = racelab(["explore", saved, "--runner", "upstream", "--out", tmp()]);
    expect(upstream.code).toBe(1);
    expect(upstream.out).toMatch(/✗ fuzz-1-0 · runner upstream .*cancel-stops-run/);
    const fixed = racelab(["explore", saved, "--runner", "fixed", "--runs", "300", "--out", tmp()]);
    expect(fixed.code).toBe(0);
  });

  it("--help of explore, shrink and gate says a scenario may be a file", () => {
    expect(racelab(["explore", "--help"]).out).toMatch(/path to a scenario file/);
    expect(racelab(["shrink", "--help"]).out).toMatch(/scenario file/);
    expect(racelab(["gate", "--help"]).out).toMatch(/path to a scenario\s+file/);
  });
});
