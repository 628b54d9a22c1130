import { count } from "../output/plural.ts";
import { escapeMd, mdCell as cell } from "../output/markdown.ts";
import { relative } from "node:path";
import type { JunitCase } from "../reporters/junit.ts";
import { mermaidSequence } from "../reporters/mermaid.ts";
import type { GateResult } from "./runGate.ts";

/** Steps a diagram shows at most (the middle of longer runs is elided, the violation kept). */
const MERMAID_STEPS = 40;

/** What the summary says about the run as a whole. */
export interface GateSummaryInfo {
  readonly seed: number;
  readonly runs: number;
  readonly strategy: string;
  readonly shard?: string;
  readonly timeMs: number;
  /** The folder the summary is written to (links are relative to it). */
  readonly dir: string;
  /** Stopped by Ctrl-C: the number of checks selected, of which `results` ran. */
  readonly interruptedOf?: number;
}

/**
 * `reports/summary.md`: the verdict, a table with one line per check, then for every
 * counterexample the replay command, the links to its HTML page and trace, and a Mermaid
 * sequence diagram of its shrunk interleaving (it renders wherever Markdown does: GitHub,
 * GitLab, the step summary of a CI job).
 */
export function renderGateSummary(results: readonly GateResult[], info: GateSummaryInfo): string {
  const failed = results.filter((r) => !r.ok);
  const lines: string[] = [];
  const verdict =
    failed.length > 0
      ? `❌ ${failed.length} of ${results.length} expectations do not hold${info.interruptedOf !== undefined ? ` (interrupted after ${results.length} of ${info.interruptedOf} checks)` : ""}`
      : info.interruptedOf !== undefined
        ? `⚠️ interrupted after ${results.length} of ${info.interruptedOf} checks; those hold, the rest did not run`
        : "✅ every expectation holds";
  lines.push(`# racelab gate${info.shard ? ` (shard ${info.shard})` : ""}: ${verdict}`);
  lines.push("");
  lines.push(`${count(results.length, "check")} · ${info.strategy}, seed ${info.seed}, at most ${info.runs} schedules a row · ${(info.timeMs / 1000).toFixed(1)} s`);
  lines.push("");
  lines.push("| | check | expected | found | schedules | why |");
  lines.push("|---|---|---|---|---:|---|");
  for (const r of results) {
    const found = r.found.length ? r.found.join(", ") : "-";
    lines.push(`| ${r.ok ? "✅" : "❌"} | ${cell(r.check.key)} | ${cell(r.expected)} | ${cell(found)} | ${r.schedules} | ${cell(r.message)} |`);
  }
  // Counterexamples of checks that failed come first and open; bugs caught as expected fold away.
  const withExamples = [...results.filter((r) => !r.ok), ...results.filter((r) => r.ok)].filter((r) => r.counterexamples.length > 0);
  if (withExamples.length > 0) {
    lines.push("");
    lines.push("## Counterexamples (shrunk)");
    for (const r of withExamples) {
      for (const c of r.counterexamples) {
        const names = [...new Set(c.run.violations.map((v) => v.invariant))].join(", ");
        const title = `${escapeMd(r.check.key)}: ${escapeMd(names)} (${c.run.choices.length} steps)`;
        lines.push("");
        lines.push(r.ok ? `<details><summary>✅ caught as expected: ${title}</summary>` : `### ❌ ${title}`);
        lines.push("");
        for (const v of c.run.violations) {
          lines.push(`- **${escapeMd(v.invariant)}** (step ${v.step}): ${escapeMd(v.message)}`);
          if (v.cause) lines.push(`  - cause: ${escapeMd(v.cause.text)}`);
        }
        lines.push("");
        lines.push(`Replay: \`${c.replay}\` · [swimlanes](${link(info.dir, c.html)}) · [Chrome trace](${link(info.dir, c.trace)})`);
        lines.push("");
        lines.push("```mermaid");
        lines.push(mermaidSequence(c.report, MERMAID_STEPS));
        lines.push("```");
        if (r.ok) lines.push("", "</details>");
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/** One JUnit test case per check; a check whose expectation fails is a `<failure>`. */
export function gateJunitCases(results: readonly GateResult[]): JunitCase[] {
  return results.map((r) => ({
    classname: `racelab.gate.${r.check.kind}`,
    name: r.check.key,
    timeMs: r.timeMs,
    ...(!r.ok && {
      failure: {
        message: r.message,
        body: [
          `expected: ${r.expected}`,
          `found: ${r.found.join(", ") || "-"}`,
          ...r.counterexamples.flatMap((c) => [
            ...c.run.violations.flatMap((v) => [`${v.invariant} (step ${v.step}): ${v.message}`, ...(v.cause ? [`  cause: ${v.cause.text}`] : [])]),
            `reproduce: ${c.replay}`,
          ]),
        ].join("\n"),
      },
    }),
  }));
}

/** A Markdown link target relative to the summary's folder. */
function link(dir: string, path: string): string {
  return relative(dir, path).split("\\").join("/");
}
