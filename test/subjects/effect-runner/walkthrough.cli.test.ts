import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";

/**
 * The README's walk-through "an Effect runner of your own": a copy of the Effect reference
 * Runner wrapped in a harness module that imports `racelab/effect`, in a project of its own
 * (its node_modules links racelab's package and racelab's `effect`, as an install would).
 */
function harnessProject(edit: (source: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "racelab-effect-walkthrough-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(resolve("."), join(dir, "node_modules", "racelab"));
  symlinkSync(resolve("node_modules/effect"), join(dir, "node_modules", "effect"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const runner = join(dir, "Runner.ts");
  cpSync("src/subjects/effect-runner/Runner.ts", runner);
  const before = readFileSync(runner, "utf8");
  writeFileSync(runner, edit(before));
  const harness = /```sh\nmkdir -p my-effect[\s\S]*?cat > my-effect\/harness.ts <<'TS'\n([\s\S]*?)\nTS\n/.exec(readFileSync("README.md", "utf8"))![1]!;
  writeFileSync(join(dir, "harness.ts"), harness);
  return join(dir, "harness.ts");
}

const fuzz = (harness: string) => cli("fuzz", "--runner", harness, "--scenarios", "12", "--seed", "1", "--workers", "2", "--out", mkdtempSync(join(tmpdir(), "racelab-walkthrough-out-")), "--json");

describe("README walk-through: an Effect runner of your own, fuzzed", () => {
  it("an unchanged copy of Runner.ts passes; with the pending flag never set, fuzz finds the lost wake-up", async () => {
    const intact = await fuzz(harnessProject((s) => s));
    expect(intact.code, intact.err).toBe(0);
    expect(JSON.parse(intact.out).scenarios).toBe(12);

    const broken = harnessProject((s) => {
      const edited = s.replace("const pending = design.pendingRestart;", "const pending = false;");
      expect(edited).not.toBe(s);
      return edited;
    });
    const found = await fuzz(broken);
    expect(found.code, found.err).toBe(1);
    const invariants = JSON.parse(found.out).failures.flatMap((f: { invariants: string[] }) => f.invariants);
    expect(invariants).toContain("every-message-answered");
  }, 180_000);
});
