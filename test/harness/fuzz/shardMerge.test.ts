import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "racelab-shard-"));

interface FuzzJson {
  scenarios: number;
  schedules: number;
  failingScenarios: number;
  failures: { signature: string; scenarioIndex: number; scenarioIndices: number[]; occurrences: number; file: string; saved?: string }[];
}

// A generous step budget: the watchdog is wall clock, and campaigns sharing a busy machine's
// cores must not turn a starved worker into a runner-timeout finding in one of them.
// 60 schedules a scenario instead of the default 200, and livelocks at 300 steps instead of
// 1000 (shrinking them costs most), keep the test's CPU in bounds; the
// partition and the merge do not depend on the budget.
const upstream = (...flags: string[]) => cli("fuzz", "--runner", "upstream", "--seed", "1", "--scenarios", "40", "--budget", "60", "--max-steps", "300", "--step-timeout", "60000", "--json", ...flags);

/** What a merge must have in common with one machine (not the text: paths and times differ). */
const essence = (r: FuzzJson) => ({
  scenarios: r.scenarios,
  schedules: r.schedules,
  failing: r.failingScenarios,
  failures: r.failures.map((f) => ({ signature: f.signature, index: f.scenarioIndex, indices: f.scenarioIndices, occurrences: f.occurrences, file: basename(f.file) })),
});

const junitCases = (dir: string) => [...readFileSync(join(dir, "junit.xml"), "utf8").matchAll(/<testcase classname="[^"]*" name="([^"]*)"/g)].map((m) => m[1]).sort();

describe("fuzz --shard i/n and racelab merge", () => {
  it("upstream, seed 1, 40 scenarios: shards 1/2 and 2/2 merged find what one machine finds (distinct failures, counts, files, regressions, JUnit)", async () => {
    const [s1, s2, one, merged, savedOne, savedMerged] = [tmp(), tmp(), tmp(), tmp(), tmp(), tmp()];
    // The two shards side by side on a thread each, as two machines would; then one machine on
    // two. Never more threads than the two cores the tests get.
    const [r1, r2] = await Promise.all([upstream("--shard", "1/2", "--workers", "1", "--out", s1), upstream("--shard", "2/2", "--workers", "1", "--out", s2)]);
    const whole = await upstream("--workers", "2", "--out", one, "--save", "--regressions", savedOne);
    for (const r of [r1, r2, whole]) expect(r.code).toBe(1);
    const [a, b, w] = [r1, r2, whole].map((r) => JSON.parse(r.out) as FuzzJson);
    expect([a!.scenarios, b!.scenarios, w!.scenarios]).toEqual([20, 20, 40]);
    expect(a!.failures.every((f) => f.scenarioIndex % 2 === 0) && b!.failures.every((f) => f.scenarioIndex % 2 === 1)).toBe(true);
    // Both shards see some of the same failures: the merge has to deduplicate across them.
    const inBoth = a!.failures.filter((f) => b!.failures.some((g) => g.signature === f.signature));
    expect(inBoth.length).toBeGreaterThan(0);

    const m = await cli("merge", s1, s2, "--out", merged, "--save", "--regressions", savedMerged, "--json");
    expect(m.code).toBe(1);
    const mj = JSON.parse(m.out) as FuzzJson;
    expect(essence(mj)).toEqual(essence(w!));
    // Each representative's schedule file is the very file one machine wrote, and so is what --save saved.
    for (const f of mj.failures) expect(readFileSync(f.file, "utf8")).toBe(readFileSync(join(one, basename(f.file)), "utf8"));
    expect(readdirSync(savedMerged).sort()).toEqual(readdirSync(savedOne).sort());
    expect(junitCases(merged)).toEqual(junitCases(one));
    expect(junitCases(merged)).toEqual(mj.failures.map((f) => f.signature).sort());

    // At the CLI's text level: the same verdict line, and a merge of one shard is refused.
    const text = await cli("merge", s1, s2, "--out", tmp());
    expect(text.code).toBe(1);
    expect(text.out).toMatch(new RegExp(`40 scenarios, ${w!.schedules} schedules \\(merged from 2 shards.*\\), ${w!.failingScenarios} failing scenarios`));
    expect(text.out).toContain(`✗ ${w!.failures.length} distinct failures:`);
    const half = await cli("merge", s2, "--out", tmp());
    expect(half.code).toBe(2);
    expect(half.err).toBe("racelab: merge: shard 1 of 2 is missing (have 2); give the --out folder of every shard");
  }, 600_000);

  it("the fixed runner's shards merge to no failure (exit 0), so upstream's failures are the runner's", async () => {
    const [s1, s2] = [tmp(), tmp()];
    const fixed = (shard: string, out: string) => cli("fuzz", "--runner", "fixed", "--seed", "1", "--scenarios", "8", "--budget", "50", "--shard", shard, "--workers", "1", "--out", out);
    const [r1, r2] = await Promise.all([fixed("1/2", s1), fixed("2/2", s2)]);
    expect([r1.code, r2.code]).toEqual([0, 0]);
    const m = await cli("merge", s1, s2, "--out", tmp());
    expect(m.code).toBe(0);
    expect(m.out).toContain("✓ no failure in 8 generated scenarios");
  }, 120_000);
});
