import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";
import { coverageOf, writeFuzzResult, type FuzzCampaignInfo, type FuzzResultFile } from "../../../src/harness/fuzz/fuzzResultFile.ts";
import { mergeResults } from "../../../src/harness/fuzz/mergeResults.ts";
import { inShard, shardItem, shardSize } from "../../../src/harness/gate/shard.ts";
import { campaign, shardResult, shardsOf } from "./fakeResults.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "racelab-merge-"));

/** What must be equal between a merge and one machine. */
const essence = (r: Pick<FuzzResultFile, "scenarios" | "schedules" | "failingScenarios" | "distinct">) => ({
  scenarios: r.scenarios,
  schedules: r.schedules,
  failing: r.failingScenarios,
  distinct: r.distinct.map((d) => ({ signature: d.failure.signature, index: d.index, occurrences: d.occurrences, indices: d.indices, file: d.file })),
});

describe("--shard i/n over a fuzz campaign's scenario indices", () => {
  it("deals 0..N-1 into disjoint shards whose union is the whole, for N = 1..30 and n = 1..5; shardItem lists a shard's indices in order", () => {
    for (let total = 1; total <= 30; total++) {
      for (let n = 1; n <= 5; n++) {
        const shards = Array.from({ length: n }, (_, i) => ({ index: i + 1, count: n }));
        const items = shards.map((s) => Array.from({ length: shardSize(s, total) }, (_, j) => shardItem(s, j)));
        expect(items.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, k) => k));
        shards.forEach((s, i) => expect(items[i]!.every((k) => inShard(k, s))).toBe(true));
      }
    }
  });
});

describe("mergeResults", () => {
  it("gives what one machine gives, for 1 to 5 shards of 40 scenarios: same distinct failures (lowest index kept), occurrences and counts", () => {
    const one = shardResult({ index: 1, count: 1 }, 40, campaign(1));
    expect(one.distinct.length).toBeGreaterThan(1);
    for (let n = 1; n <= 5; n++) {
      const shards = shardsOf(n, 40);
      if (n > 1) {
        // The shards do find the same failures, so the merge has something to deduplicate.
        const found = shards.flatMap((s) => s.result.distinct.map((d) => d.failure.signature));
        expect(new Set(found).size).toBeLessThan(found.length);
      }
      expect(essence(mergeResults(shards))).toEqual(essence(one));
      expect(essence(mergeResults([...shards].reverse()))).toEqual(essence(one));
    }
  });

  it("rejects a missing shard, a shard given twice and shards of another campaign, saying which folder", () => {
    const [a, b, c] = shardsOf(3, 40);
    expect(() => mergeResults([a!, c!])).toThrow("merge: shard 2 of 3 is missing (have 1, 3); give the --out folder of every shard");
    expect(() => mergeResults([a!, b!, c!, { ...b!, dir: "copy" }])).toThrow("merge: shard 2/3 is in both fuzz-2 and copy; give each shard once");
    const other = (over: Partial<FuzzCampaignInfo>) => ({ dir: "other", result: shardResult({ index: 2, count: 3 }, 13, campaign(3, over)) });
    expect(() => mergeResults([a!, other({ seed: 2 }), c!])).toThrow("merge: other was run with --seed 2, fuzz-1 with --seed 1; merge only the shards of one campaign");
    expect(() => mergeResults([a!, other({ runner: "fixed" }), c!])).toThrow(/other was run with --runner fixed, fuzz-1 with --runner upstream/);
    expect(() => mergeResults([a!, other({ scenarios: undefined, time: 60 }), c!])).toThrow(/other was run without --scenarios, fuzz-1 with --scenarios 40/);
    const four = { dir: "four", result: shardResult({ index: 2, count: 4 }, 10) };
    expect(() => mergeResults([a!, four])).toThrow("merge: four is a shard of 4, fuzz-1 is a shard of 3; merge only the shards of one campaign");
    expect(() => mergeResults([a!, { dir: "new", result: { ...b!.result, racelab: "9.9.9" } }, c!])).toThrow(/new was run by racelab 9\.9\.9, fuzz-1 by 0\.1\.0/);
  });
});

describe("coverageOf", () => {
  it("with --time: the prefix every shard reached, and how many ran past it", () => {
    const time = campaign(2, { scenarios: undefined, time: 60 });
    // Shard 1 ran 0, 2, 4, 6, 8 and shard 2 ran 1, 3, 5: 0..6 all ran, 8 past them.
    const merged = mergeResults([
      { dir: "a", result: shardResult({ index: 1, count: 2 }, 5, time) },
      { dir: "b", result: shardResult({ index: 2, count: 2 }, 3, time) },
    ]);
    expect(coverageOf(merged)).toEqual({ total: 8, prefix: 7 });
    expect(coverageOf(shardResult({ index: 1, count: 2 }, 5, time))).toEqual({ total: 5 });
    expect(coverageOf(mergeResults(shardsOf(3, 40)))).toEqual({ total: 40, prefix: 40 });
  });
});

describe("racelab merge and fuzz --shard, bad input", () => {
  it("rejects --shard 0/2, 3/2 and x, and a shard --scenarios leaves empty, in one line (exit 2)", async () => {
    for (const bad of ["0/2", "3/2", "x"]) {
      const r = await cli("fuzz", "--runner", "upstream", "--scenarios", "4", "--shard", bad, "--out", tmp());
      expect(r.code).toBe(2);
      expect(r.err).toBe(`racelab: --shard must be i/n with 1 <= i <= n (e.g. 2/4), got '${bad}'`);
    }
    const empty = await cli("fuzz", "--runner", "upstream", "--scenarios", "2", "--shard", "3/3", "--out", tmp());
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/^racelab: fuzz: --scenarios 2 leaves shard 3\/3 no scenario .*; use at most 2 shards or more scenarios$/);
  });

  it("names the folder that is not a shard's output, is of another seed, or is the --out itself (exit 2, one line)", async () => {
    const [a, b] = shardsOf(2, 40).map((s) => {
      const dir = tmp();
      writeFuzzResult(dir, s.result);
      return dir;
    });
    const empty = tmp();
    const none = await cli("merge", a!, empty);
    expect(none.code).toBe(2);
    expect(none.err).toBe(`racelab: merge: ${empty} has no fuzz-result.json, so it is not the output of a fuzz run (one that finished no scenario writes none); give the --out folders of 'racelab fuzz --shard i/n' runs`);
    const seed2 = tmp();
    writeFuzzResult(seed2, shardResult({ index: 2, count: 2 }, 20, campaign(2, { seed: 2 })));
    const mismatch = await cli("merge", a!, seed2, "--out", tmp());
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toBe(`racelab: merge: ${seed2} was run with --seed 2, ${a} with --seed 1; merge only the shards of one campaign`);
    const broken = tmp();
    writeFileSync(join(broken, "fuzz-result.json"), "{ not json");
    const bad = await cli("merge", a!, broken);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^racelab: merge: .*fuzz-result\.json is not JSON \(.*\); give the --out folders/);
    const into = await cli("merge", a!, b!, "--out", b!);
    expect(into.code).toBe(2);
    expect(into.err).toMatch(/^racelab: merge: --out .* is one of the shard folders/);
    // The made-up results list schedule files that are not there: merge says so rather than half-copying.
    const lacking = await cli("merge", a!, b!, "--out", tmp());
    expect(lacking.code).toBe(2);
    expect(lacking.err).toMatch(/^racelab: merge: .*fuzz-1-1\.json is missing \(.* lists it for inv-0@hash\); give each shard's whole --out folder$/);
  });
});
