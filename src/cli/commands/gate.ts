import { existsSync, statSync } from "node:fs";
import { appendOutputFile, ensureDirectory, writeOutputFile } from "../../harness/output/writeOutput.ts";
import { InputError } from "../../harness/errors.ts";
import { gateChecks } from "../../harness/gate/runGate.ts";
import { selectShard } from "../../harness/gate/shard.ts";
import { dirname, join, resolve } from "node:path";
import { shown } from "../../harness/explore/recordFailure.ts";
import { defaultExpectations, defaultRegressions, readExpectations } from "../../harness/gate/expectations.ts";
import { gateJunitCases, renderGateSummary } from "../../harness/gate/renderGateSummary.ts";
import { runGate, type GateResult } from "../../harness/gate/runGate.ts";
import { parseShard } from "../../harness/gate/shard.ts";
import { renderJunit } from "../../harness/reporters/junit.ts";
import type { Io } from "../main.ts";
import { count } from "../../harness/output/plural.ts";
import { EXIT_INTERRUPTED, interruptible } from "../interrupt.ts";

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
  const table = await readExpectations(expectations);
  const regressions = o.regressions ?? defaultRegressions(expectations);
  // A folder named on purpose must be there: a typo must not skip every saved regression.
  if (o.regressions !== undefined && !(existsSync(o.regressions) && statSync(o.regressions).isDirectory())) {
    throw new InputError(`--regressions ${o.regressions}: no such folder, so no saved regression would be replayed; give the folder 'racelab fuzz --save' writes to (default: regressions/ beside the table)`);
  }
  const stepSummary = o.stepSummary ?? process.env.GITHUB_STEP_SUMMARY;
  const summaryWhat = o.stepSummary !== undefined ? "--step-summary" : "GITHUB_STEP_SUMMARY";
  if (stepSummary) checkAppendable(stepSummary, summaryWhat);
  const selected = selectShard(gateChecks(table, regressions, o.filter), o.shard === undefined ? undefined : parseShard(o.shard));
  if (selected.length === 0) {
    // Nothing selected: no verdict, green or red, may come of it.
    throw new InputError(
      o.filter !== undefined
        ? `gate: no check's name contains '${o.filter}', so nothing was tested; names look like 'idle-prompt-async · upstream' or 'regression <file>' (drop --filter to run them all)`
        : "gate: this shard has no check, so nothing was tested; use fewer shards",
    );
  }
  const shard = o.shard === undefined ? undefined : parseShard(o.shard);
  const out = join(o.reports, "failures");
  const started = performance.now();
  const onResult = (r: GateResult, done: number, total: number) => {
    const mark = r.ok ? pc.green("✓") : pc.red("✗");
    const progress = `[${String(done).padStart(String(total).length)}/${total}]`;
    io.out(`${mark} ${pc.dim(progress)} ${r.check.key}: ${r.ok ? pc.dim(r.message) : pc.red(r.message)} ${pc.dim(`(${r.timeMs} ms)`)}`);
    if (!r.ok) {
      for (const c of r.counterexamples) {
        for (const v of c.run.violations) if (v.cause) io.out(pc.dim(`    ${v.invariant} cause: ${v.cause.text}`));
        io.out(`    reproduce: ${c.replay}`);
      }
    }
  };
  const { results, interrupted } = await interruptible(io, async (interrupt) => {
    const ran = await runGate({ table, regressions, ...(shard && { shard }), ...(o.filter !== undefined && { filter: o.filter }), out, onResult, interrupt });
    return { results: ran, interrupted: interrupt.requested };
  });
  const timeMs = Math.round(performance.now() - started);
  ensureDirectory(o.reports, "--reports");
  const shardText = shard ? `${shard.index}/${shard.count}` : undefined;
  const junitPath = join(o.reports, "junit.xml");
  const summaryPath = join(o.reports, "summary.md");
  writeOutputFile(junitPath, renderJunit(`racelab gate${shardText ? ` shard ${shardText}` : ""}`, gateJunitCases(results)), "--reports");
  const summary = renderGateSummary(results, { seed: table.seed, runs: table.runs, strategy: table.strategy, timeMs, dir: o.reports, ...(shardText && { shard: shardText }), ...(interrupted && { interruptedOf: selected.length }) });
  writeOutputFile(summaryPath, summary, "--reports");
  if (stepSummary) appendOutputFile(stepSummary, summary, summaryWhat);
  const failed = results.filter((r) => !r.ok);
  io.out("");
  io.out(`JUnit:   ${shown(junitPath)}`);
  io.out(`Summary: ${shown(summaryPath)}${stepSummary ? " (also appended to the step summary)" : ""}`);
  if (interrupted) {
    const held = results.length - failed.length;
    const line = `gate: interrupted (Ctrl-C) after ${results.length} of ${count(selected.length, "check")}: ${held} hold, ${failed.length} do not; not a verdict on the rest`;
    io.out(failed.length ? pc.red(`✗ ${line}`) : pc.yellow(`⚠ ${line}`));
    for (const r of failed) io.out(pc.red(`  ${r.check.key}: ${r.message}`));
    return failed.length ? 1 : EXIT_INTERRUPTED;
  }
  if (failed.length === 0) {
    io.out(pc.green(`✓ gate: ${results.length === 1 ? "the 1 expectation holds" : `all ${results.length} expectations hold`}${shardText ? ` (shard ${shardText})` : ""} in ${(timeMs / 1000).toFixed(1)} s`));
    return 0;
  }
  io.out(pc.red(`✗ gate: ${failed.length} of ${results.length} expectations do not hold:`));
  for (const r of failed) io.out(pc.red(`  ${r.check.key}: ${r.message}`));
  return 1;
}

/** A step summary must be a file that can be appended to (checked before the gate runs). */
function checkAppendable(path: string, what: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`${what} ${path} is a folder; it must name a file to append the summary to`);
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) throw new InputError(`${what} ${path}: the folder ${folder} does not exist`);
}
