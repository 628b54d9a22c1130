import { describe, expect, it } from "vitest";
import { fuzzJunitCases, renderFuzzSummary } from "../../../src/harness/fuzz/renderFuzzSummary.ts";
import { mergeResults } from "../../../src/harness/fuzz/mergeResults.ts";
import { renderJunit } from "../../../src/harness/reporters/junit.ts";
import { campaign, shardResult, shardsOf } from "./fakeResults.ts";

describe("fuzz's junit.xml and summary.md", () => {
  it("have one JUnit failure per distinct failure, named by its signature, and a summary row for each", () => {
    const r = shardResult({ index: 1, count: 1 }, 40, campaign(1));
    const cases = fuzzJunitCases(r);
    expect(cases.map((c) => c.name)).toEqual(r.distinct.map((d) => d.failure.signature));
    expect(cases.every((c) => c.failure !== undefined)).toBe(true);
    expect(cases[0]!.failure!.body).toContain(`reproduce: ${r.distinct[0]!.replay}`);
    const summary = renderFuzzSummary(r);
    expect(summary).toMatch(new RegExp(`^# racelab fuzz: ❌ ${r.distinct.length} distinct failures\n`));
    for (const d of r.distinct) expect(summary).toContain(`| ❌ | \`${d.failure.signature}\` |`);
    expect(summary).not.toContain("merged");
  });

  it("are the same for a merge of shards as for one machine, but for the line saying it was merged", () => {
    const one = shardResult({ index: 1, count: 1 }, 40, campaign(1));
    const merged = mergeResults(shardsOf(3, 40));
    expect(renderJunit("racelab fuzz", fuzzJunitCases(merged))).toBe(renderJunit("racelab fuzz", fuzzJunitCases(one)));
    const lines = (s: string) => s.split("\n");
    const differ = lines(renderFuzzSummary(merged)).filter((l, i) => l !== lines(renderFuzzSummary(one))[i]);
    expect(differ).toEqual(["runner upstream · observer fixed · seed 1 · --scenarios 40 · 200 schedules a scenario · merged from 3 shards"]);
  });

  it("say a shard is a shard, pass with no failure, and give no verdict when interrupted", () => {
    // Scenarios 0 and 3 pass (see signatureOf): shard 1 of 3 over 2 scenarios finds nothing.
    const clean = shardResult({ index: 1, count: 3 }, 2);
    expect(clean.distinct).toEqual([]);
    expect(fuzzJunitCases(clean)).toEqual([{ classname: "racelab.fuzz", name: "racelab fuzz · upstream · seed 1", timeMs: 0 }]);
    expect(renderFuzzSummary(clean)).toContain("# racelab fuzz: ✅ no failure in 2 generated scenarios");
    expect(renderFuzzSummary(clean)).toContain("this shard's scenarios are indices 0, 3, 6, ... (2 scenarios ran)");
    const stopped = { ...clean, shards: clean.shards.map((s) => ({ ...s, interrupted: true as const })) };
    expect(fuzzJunitCases(stopped)[0]!.skipped).toBe("interrupted (Ctrl-C) after 2 scenarios; not a verdict");
    expect(renderFuzzSummary(stopped)).toContain("# racelab fuzz: ⚠️ interrupted after 2 scenarios, with no failure in them; not a verdict");
  });
});
