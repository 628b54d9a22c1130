import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../../harness/errors.ts";
import { readFuzzResult, type FuzzResultEntry, type FuzzResultFile } from "../../harness/fuzz/fuzzResultFile.ts";
import { mergeResults, type MergedEntry } from "../../harness/fuzz/mergeResults.ts";
import { ensureDirectory, writeOutputFile } from "../../harness/output/writeOutput.ts";
import type { Io } from "../main.ts";
import { printFuzzResult, writeFuzzOutputs } from "./fuzzOutput.ts";

/** Where `fuzz --save` writes by default (main.ts). */
const DEFAULT_REGRESSIONS = "scenarios/regressions";

/** Resolved options of `racelab merge`. */
export interface MergeCommandOptions {
  readonly out: string;
  /** Copy the distinct failures into the regressions (also when every shard ran with --save). */
  readonly save: boolean;
  /** Default: where the shards' --save wrote, when they agree; else scenarios/regressions. */
  readonly regressions?: string;
  readonly json: boolean;
}

/**
 * `racelab merge <dirs...>`: the `--out` folders of a fuzz campaign's shards (`fuzz --shard
 * i/n`) merged into what one machine writes for the same seed and total budget: the distinct
 * failures (deduplicated again, lowest scenario index kept) with their schedule files and
 * reports, `fuzz-result.json`, `junit.xml` and `summary.md`, and with `--save` the
 * regressions. Prints what `fuzz` prints; exits as `fuzz` does (1 when anything failed).
 */
export async function mergeCommand(io: Io, dirs: readonly string[], o: MergeCommandOptions): Promise<number> {
  const out = resolve(o.out);
  const clash = dirs.find((d) => resolve(d) === out);
  if (clash !== undefined) throw new InputError(`merge: --out ${o.out} is one of the shard folders (${clash}); give another folder to write the merge into`);
  const inputs = dirs.map((dir) => ({ dir, result: readFuzzResult(dir) }));
  const merged = mergeResults(inputs);
  // Shards that ran with --save each saved their own representatives, on their own machines;
  // one machine would have saved the merged ones, so the merge saves those.
  const shardFolders = [...new Set(merged.shards.map((s) => s.regressions))];
  const save = o.save || shardFolders.every((f) => f !== undefined);
  const regressions = o.regressions ?? (shardFolders.length === 1 ? shardFolders[0] : undefined) ?? DEFAULT_REGRESSIONS;
  ensureDirectory(o.out, "--out");
  const distinct = merged.distinct.map((d) => placeFailure(d, o.out, save ? regressions : undefined));
  const shards = merged.shards.map(({ regressions: _, ...s }) => ({ ...s, ...(save && { regressions }) }));
  const result: FuzzResultFile = { ...merged, shards, distinct };
  return printFuzzResult(io, result, writeFuzzOutputs(o.out, result), { ...o, save, regressions });
}

/**
 * Copies a representative's schedule file and reports from its shard's folder into `out`
 * (and with `regressions` into that folder too), and points the reports' reproduce command
 * at the copy, as one machine writing into `out` would have. Returns its entry there.
 */
function placeFailure(d: MergedEntry, out: string, regressions: string | undefined): FuzzResultEntry {
  const { from, saved: _shardCopy, ...entry } = d;
  const source = (name: string) => {
    const path = join(from, name);
    if (!existsSync(path)) throw new InputError(`merge: ${path} is missing (${join(from, "fuzz-result.json")} lists it for ${d.failure.signature}); give each shard's whole --out folder`);
    return path;
  };
  const file = join(out, d.file);
  copyFileSync(source(d.file), file);
  let saved: string | undefined;
  if (regressions !== undefined) {
    ensureDirectory(regressions, "--regressions");
    saved = join(regressions, d.file);
    copyFileSync(file, saved);
  }
  const replay = `npx racelab replay ${saved ?? file}`;
  for (const name of d.reports) {
    // The reports are pure functions of the failure and its replay command (FailureReport):
    // with the command swapped they are what `fuzz` would have written here.
    const text = readFileSync(source(name), "utf8");
    writeOutputFile(join(out, name), swap(text, d.replay, replay), "--out");
  }
  return { ...entry, replay, ...(saved !== undefined && { saved }) };
}

/** `text` with every `from` replaced by `to`, also where JSON escaped it (the Chrome trace). */
function swap(text: string, from: string, to: string): string {
  if (from === to) return text;
  const inJson = (s: string) => JSON.stringify(s).slice(1, -1);
  return text.split(from).join(to).split(inJson(from)).join(inJson(to));
}
