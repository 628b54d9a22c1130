import { describeShrink } from "../explore/shrinkSize.ts";
import { count } from "../output/plural.ts";
import { escapeMd, mdCell as cell } from "../output/markdown.ts";
import type { JunitCase } from "../reporters/junit.ts";
import { coverageOf, type FuzzResultFile } from "./fuzzResultFile.ts";

/** What a fuzz result says about itself in one line: how the campaign was budgeted and split. */
export function describeCampaign(result: Pick<FuzzResultFile, "campaign" | "shards">): string {
  const c = result.campaign;
  const budget = c.scenarios !== undefined ? `--scenarios ${c.scenarios}` : `--time ${c.time} s${c.shards > 1 ? " a shard" : ""}`;
  const split = c.shards === 1 ? "" : result.shards.length === c.shards ? ` · merged from ${c.shards} shards` : ` · shard ${result.shards.map((s) => `${s.index}/${c.shards}`).join(", ")}`;
  return `runner ${c.runner} · observer ${c.observer} · seed ${c.seed} · ${budget} · ${c.budget} schedules a scenario${split}`;
}

/** Which scenarios ran, when that is more than "0..N-1" (a shard; `--time` over shards). */
export function describeCoverage(result: Pick<FuzzResultFile, "campaign" | "shards">): string | undefined {
  const { total, prefix } = coverageOf(result);
  const n = result.campaign.shards;
  if (prefix === undefined) {
    const s = result.shards[0]!;
    return result.shards.length === 1 ? `this shard's scenarios are indices ${s.index - 1}, ${s.index - 1 + n}, ${s.index - 1 + 2 * n}, ... (${count(total, "scenario")} ran)` : undefined;
  }
  if (prefix === total) return undefined;
  const why = result.shards.some((s) => s.interrupted) ? "a shard was interrupted" : "each shard ran its own until its time was up";
  return `scenarios 0-${prefix - 1} all ran, and ${total - prefix} more past them (${why})`;
}

/**
 * One JUnit case per distinct failure, named by its signature (stable from run to run, so
 * a CI's test history follows it); with none, one passing case for the campaign (skipped
 * when interrupted: no verdict). No times: the same scenarios give the same file.
 */
export function fuzzJunitCases(result: FuzzResultFile): JunitCase[] {
  const c = result.campaign;
  if (result.distinct.length === 0) {
    const name = `racelab fuzz · ${c.runner} · seed ${c.seed}`;
    const interrupted = result.shards.some((s) => s.interrupted);
    return [{ classname: "racelab.fuzz", name, timeMs: 0, ...(interrupted && { skipped: `interrupted (Ctrl-C) after ${count(result.scenarios, "scenario")}; not a verdict` }) }];
  }
  return result.distinct.map((d) => ({
    classname: `racelab.fuzz.${d.failure.invariant}`,
    name: d.failure.signature,
    timeMs: 0,
    failure: {
      message: `${d.failure.invariants.join(", ")} in scenario #${d.index} (${d.features}), seen ${d.occurrences}×`,
      body: [
        ...d.failure.violations.map((v) => `${v.invariant} (step ${v.step}): ${v.message}`),
        `shrunk: ${describeShrink(d.failure.original, d.failure.shrunk)}`,
        `scenarios: ${d.indices.join(", ")}`,
        `reproduce: ${d.replay}`,
      ].join("\n"),
    },
  }));
}

/**
 * `summary.md` of a fuzz result: the verdict, the campaign, a table of the distinct failures,
 * then each failure's violations, replay command and links to its reports (relative: the
 * summary is written next to them). No times, for the same reason as the JUnit.
 */
export function renderFuzzSummary(result: FuzzResultFile): string {
  const interrupted = result.shards.some((s) => s.interrupted);
  const n = result.distinct.length;
  const verdict =
    n > 0
      ? `❌ ${count(n, "distinct failure")}`
      : interrupted
        ? `⚠️ interrupted after ${count(result.scenarios, "scenario")}, with no failure in them; not a verdict`
        : `✅ no failure in ${count(result.scenarios, "generated scenario")}`;
  const lines = [`# racelab fuzz: ${verdict}`, "", describeCampaign(result), ""];
  lines.push(`${count(result.scenarios, "scenario")}, ${count(result.schedules, "schedule")}, ${count(result.failingScenarios, "failing scenario")}${interrupted ? " (interrupted)" : ""}`);
  const coverage = describeCoverage(result);
  if (coverage) lines.push("", coverage);
  if (n === 0) return `${lines.join("\n")}\n`;
  lines.push("", "| | signature | invariants | scenario | features | seen | steps |", "|---|---|---|---:|---|---:|---:|");
  for (const d of result.distinct) {
    lines.push(`| ❌ | \`${d.failure.signature}\` | ${cell(d.failure.invariants.join(", "))} | #${d.index} | ${cell(d.features)} | ${d.occurrences}× | ${d.failure.choices.length} |`);
  }
  lines.push("", "## Failures (shrunk)");
  for (const d of result.distinct) {
    lines.push("", `### ❌ ${escapeMd(d.failure.signature)}: scenario #${d.index}`, "");
    for (const v of d.failure.violations) lines.push(`- **${escapeMd(v.invariant)}** (step ${v.step}): ${escapeMd(v.message)}`);
    const links = [d.file, ...d.reports].map((f) => `[${label(f)}](${encodeURI(f)})`).join(" · ");
    lines.push("", `Replay: \`${d.replay}\` · ${links}`);
  }
  return `${lines.join("\n")}\n`;
}

function label(file: string): string {
  if (file.endsWith(".html")) return "swimlanes";
  if (file.endsWith(".trace.json")) return "Chrome trace";
  if (file.endsWith(".json")) return "schedule file";
  return file;
}
