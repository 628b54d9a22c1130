import { join } from "node:path";
import { shown } from "../../harness/explore/recordFailure.ts";
import { describeShrink } from "../../harness/explore/shrinkSize.ts";
import type { DistinctFailure } from "../../harness/fuzz/distinctFailures.ts";
import { writeFuzzResult, type FuzzResultFile } from "../../harness/fuzz/fuzzResultFile.ts";
import { signatureShape } from "../../harness/fuzz/interleavingSignature.ts";
import { describeCoverage, fuzzJunitCases, renderFuzzSummary } from "../../harness/fuzz/renderFuzzSummary.ts";
import { count } from "../../harness/output/plural.ts";
import { ensureDirectory, writeOutputFile } from "../../harness/output/writeOutput.ts";
import { renderJunit } from "../../harness/reporters/junit.ts";
import { EXIT_INTERRUPTED } from "../interrupt.ts";
import type { Io } from "../main.ts";

/** Where a fuzz result's files went. */
export interface FuzzOutputs {
  readonly out: string;
  readonly result: string;
  readonly junit: string;
  readonly summary: string;
}

/**
 * Writes `fuzz-result.json`, `junit.xml` and `summary.md` into `out` (beside the failure
 * files). `fuzz` and `merge` both write them from a result file, so a merge of shards writes
 * what one machine writes for the same scenarios.
 */
export function writeFuzzOutputs(out: string, result: FuzzResultFile): FuzzOutputs {
  ensureDirectory(out, "--out");
  const shardText = result.campaign.shards > 1 && result.shards.length < result.campaign.shards ? ` shard ${result.shards.map((s) => `${s.index}/${result.campaign.shards}`).join(", ")}` : "";
  const junit = join(out, "junit.xml");
  writeOutputFile(junit, renderJunit(`racelab fuzz${shardText}`, fuzzJunitCases(result)), "--out");
  const summary = join(out, "summary.md");
  writeOutputFile(summary, renderFuzzSummary(result), "--out");
  return { out, result: writeFuzzResult(out, result), junit, summary };
}

/** How `--save` went, for the closing hint. */
export interface SaveInfo {
  readonly save: boolean;
  readonly regressions: string;
}

/**
 * Prints a fuzz result (one JSON object with `json`); returns the exit code: 1 with a
 * failure, 130 when interrupted with none, 0 otherwise. Shared by `fuzz` and `merge`.
 */
export function printFuzzResult(io: Io, result: FuzzResultFile, outputs: FuzzOutputs, o: SaveInfo & { readonly json: boolean }): number {
  const pc = io.colors;
  const interrupted = result.shards.some((s) => s.interrupted);
  // Shards run side by side: the wall time is the longest one's, the workers all of theirs.
  const elapsedMs = Math.max(...result.shards.map((s) => s.elapsedMs));
  const workers = result.shards.reduce((sum, s) => sum + s.workers, 0);
  const rate = elapsedMs > 0 ? Math.round((result.schedules / elapsedMs) * 1000) : 0;
  const n = result.campaign.shards;
  const failures = result.distinct.map((d) => ({ d, file: join(outputs.out, d.file), html: join(outputs.out, d.reports.find((r) => r.endsWith(".html")) ?? d.file) }));
  const code = failures.length > 0 ? 1 : interrupted ? EXIT_INTERRUPTED : 0;
  if (o.json) {
    io.out(
      JSON.stringify({
        runner: result.campaign.runner,
        observer: result.campaign.observer,
        seed: result.campaign.seed,
        ...(n > 1 && { shards: result.shards.map((s) => ({ shard: `${s.index}/${n}`, scenarios: s.scenarios, schedules: s.schedules, elapsedMs: Math.round(s.elapsedMs), workers: s.workers })) }),
        workers,
        scenarios: result.scenarios,
        schedules: result.schedules,
        schedulesPerSecond: rate,
        failingScenarios: result.failingScenarios,
        elapsedMs: Math.round(elapsedMs),
        ...(interrupted && { interrupted: true }),
        result: outputs.result,
        junit: outputs.junit,
        summary: outputs.summary,
        failures: failures.map((w) => ({
          signature: w.d.failure.signature,
          invariant: w.d.failure.invariant,
          invariants: w.d.failure.invariants,
          scenarioIndex: w.d.index,
          scenarioIndices: w.d.indices,
          features: w.d.features,
          occurrences: w.d.occurrences,
          seenAs: w.d.seenAs,
          ...(primaryCause(w.d) && { cause: primaryCause(w.d)!.text, race: primaryCause(w.d)!.race }),
          steps: w.d.failure.choices.length,
          file: w.file,
          html: w.html,
          ...(w.d.saved && { saved: w.d.saved }),
          replay: w.d.replay,
        })),
      }),
    );
    return code;
  }
  const merged = n > 1 && result.shards.length === n;
  const how = merged ? `merged from ${n} shards, ${rate} schedules/s together; the longest took ${(elapsedMs / 1000).toFixed(1)} s` : `${rate}/s, ${(elapsedMs / 1000).toFixed(1)} s`;
  io.out(`${count(result.scenarios, "scenario")}, ${count(result.schedules, "schedule")} (${how}), ${count(result.failingScenarios, "failing scenario")}${interrupted ? " (interrupted by Ctrl-C)" : ""}`);
  const coverage = describeCoverage(result);
  if (coverage) io.out(pc.dim(coverage));
  io.out(pc.dim(`JUnit: ${shown(outputs.junit)} · Summary: ${shown(outputs.summary)} · Result: ${shown(outputs.result)}`));
  if (failures.length === 0 && interrupted) {
    io.out(pc.yellow(`⚠ interrupted (Ctrl-C): no failure in the ${count(result.scenarios, "generated scenario")} that finished (${count(result.schedules, "schedule")})`));
    return code;
  }
  if (failures.length === 0) {
    io.out(pc.green(`✓ no failure in ${count(result.scenarios, "generated scenario")} (${count(result.schedules, "schedule")})`));
    return code;
  }
  io.out(pc.red(`✗ ${failures.length} distinct failure${failures.length === 1 ? "" : "s"}:`));
  for (const w of failures) {
    const f = w.d.failure;
    io.out("");
    const also = w.d.seenAs.filter((inv) => inv !== f.invariant);
    io.out(pc.red(`✗ ${pc.bold(f.invariants.join(", "))} · scenario #${w.d.index} (${w.d.features}) · seen ${w.d.occurrences}×${also.length > 0 ? ` (also as ${also.join(", ")})` : ""}`));
    for (const v of f.violations) {
      io.out(`  ${pc.bold(v.invariant)}: ${v.message}`);
      if (v.cause) io.out(pc.yellow(`    cause: ${v.cause.text}`));
    }
    io.out(pc.dim(`  shrunk: ${describeShrink(f.original, f.shrunk)} · signature ${f.signature}`));
    const shape = signatureShape(f.violations.find((v) => v.invariant === f.invariant) ?? f.violations[0]!);
    if (shape) io.out(pc.dim(`  ${shape}`));
    io.out(`  Report:    ${w.html}`);
    io.out(`  Reproduce: ${pc.bold(w.d.replay)}`);
  }
  if (!o.save) io.out(pc.dim(`\nAdd --save to put these into ${o.regressions}/, which 'racelab gate' replays.`));
  return code;
}

/** The causal chain of the violation a distinct failure was shrunk on. */
function primaryCause(d: DistinctFailure) {
  return d.failure.violations.find((v) => v.invariant === d.failure.invariant)?.cause;
}
