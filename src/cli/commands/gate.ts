import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shown } from "../../harness/explore/recordFailure.ts";
import { defaultExpectations, defaultRegressions, readExpectations } from "../../harness/gate/expectations.ts";
import { gateJunitCases, renderGateSummary } from "../../harness/gate/renderGateSummary.ts";
import { runGate } from "../../harness/gate/runGate.ts";
import { parseShard } from "../../harness/gate/shard.ts";
import { renderJunit } from "../../harness/reporters/junit.ts";
import type { Io } from "../main.ts";

/** Resolved options of `racelab gate`. */
export interface GateCommandOptions {
  /** Default: {@link defaultExpectations}. */
  readonly expectations?: string;
  /** Default: `regressions/` beside the table (which may not exist). */
  readonly regressions?: string;
  readonly shard?: string;
  readonly filter?: string;
  /** Reports folder: junit.xml and summary.md here, failure files under failures/. */
  readonly reports: string;
  /** Where to append the summary; default $GITHUB_STEP_SUMMARY. */
  readonly stepSummary?: string;
}

/**
 * `racelab gate`: every expectation row and every saved regression; 0 when all hold, 1 when
 * any does not (a bug not caught fails the gate as surely as a fixed variant that fails).
 */
export async function gateCommand(io: Io, o: GateCommandOptions): Promise<number> {
  const pc = io.colors;
  const expectations = o.expectations ?? defaultExpectations();
  const table = readExpectations(expectations);
  const regressions = o.regressions ?? defaultRegressions(expectations);
  const shard = o.shard === undefined ? undefined : parseShard(o.shard);
  const out = join(o.reports, "failures");
  const started = performance.now();
  const results = await runGate({
    table,
    regressions,
    ...(shard && { shard }),
    ...(o.filter !== undefined && { filter: o.filter }),
    out,
    onResult(r, done, total) {
      const mark = r.ok ? pc.green("✓") : pc.red("✗");
      const count = `[${String(done).padStart(String(total).length)}/${total}]`;
      io.out(`${mark} ${pc.dim(count)} ${r.check.key}: ${r.ok ? pc.dim(r.message) : pc.red(r.message)} ${pc.dim(`(${r.timeMs} ms)`)}`);
      if (!r.ok) for (const c of r.counterexamples) io.out(`    reproduce: ${c.replay}`);
    },
  });
  const timeMs = Math.round(performance.now() - started);
  mkdirSync(o.reports, { recursive: true });
  const shardText = shard ? `${shard.index}/${shard.count}` : undefined;
  const junitPath = join(o.reports, "junit.xml");
  const summaryPath = join(o.reports, "summary.md");
  writeFileSync(junitPath, renderJunit(`racelab gate${shardText ? ` shard ${shardText}` : ""}`, gateJunitCases(results)));
  const summary = renderGateSummary(results, { seed: table.seed, runs: table.runs, strategy: table.strategy, timeMs, dir: o.reports, ...(shardText && { shard: shardText }) });
  writeFileSync(summaryPath, summary);
  const stepSummary = o.stepSummary ?? process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) appendFileSync(stepSummary, summary);
  const failed = results.filter((r) => !r.ok);
  io.out("");
  io.out(`JUnit:   ${shown(junitPath)}`);
  io.out(`Summary: ${shown(summaryPath)}${stepSummary ? " (also appended to the step summary)" : ""}`);
  if (failed.length === 0) {
    io.out(pc.green(`✓ gate: all ${results.length} expectations hold${shardText ? ` (shard ${shardText})` : ""} in ${(timeMs / 1000).toFixed(1)} s`));
    return 0;
  }
  io.out(pc.red(`✗ gate: ${failed.length} of ${results.length} expectations do not hold:`));
  for (const r of failed) io.out(pc.red(`  ${r.check.key}: ${r.message}`));
  return 1;
}
