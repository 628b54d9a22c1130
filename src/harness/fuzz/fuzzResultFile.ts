import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { writeOutputFile } from "../output/writeOutput.ts";
import { formatIssues, parseScenario } from "../scenario/parseScenario.ts";
import { ViolationSchema } from "../explore/scheduleFile.ts";
import type { DistinctFailure } from "./distinctFailures.ts";

/**
 * `fuzz-result.json`: what a fuzz campaign (or one shard of it, or a merge of shards) found,
 * as plain versioned JSON in its `--out` folder, for `racelab merge` to read.
 *
 * ```json
 * { "version": 1, "kind": "racelab-fuzz-result", "racelab": "0.1.0",
 *   "campaign": { "runner": "upstream", "observer": "fixed", "seed": 1, "budget": 200,
 *                 "maxSteps": 1000, "scenarios": 40, "shards": 2 },      // or "time": 60 (s a shard)
 *   "shards": [{ "index": 1, "scenarios": 20, "schedules": 240, "steps": 5120,
 *                "failingScenarios": 19, "elapsedMs": 51000, "workers": 2 }],
 *   "scenarios": 20, "schedules": 240, "steps": 5120, "failingScenarios": 19,
 *   "distinct": [{ "index": 0, "scenarioName": "fuzz-1-0", "features": "prompt, cancel",
 *                  "occurrences": 2, "indices": [0, 12],
 *                  "failure": { "invariant": "...", "signature": "cancel-stops-run@7400010751",
 *                               "scenario": { ... }, "choices": [...], ... },  // FuzzFailure
 *                  "file": "fuzz-1-0--upstream--cancel-stops-run--seed1-run0.json",
 *                  "reports": ["fuzz-1-0--....html", "fuzz-1-0--....trace.json"],
 *                  "replay": "npx racelab replay fuzz-1/fuzz-1-0--....json",
 *                  "saved": "scenarios/regressions/fuzz-1-0--....json" }] }
 * ```
 *
 * `campaign` is what a scenario index's outcome depends on, plus the budget and the shard
 * count: shards merge only when it is equal in all of them (and their racelab version is).
 * `shards` lists the shards this file covers: one for a `fuzz` run (a run without `--shard`
 * is shard 1 of 1), all of them for a merge; `regressions` is where a shard's `--save` wrote. A shard i of n with `scenarios` s ran indices
 * i-1, i-1+n, ..., i-1+(s-1)n. `distinct` is deduplicated (see failureKey), lowest scenario
 * index first; `failure` is the whole shrunk failure, so a merge can dedupe again by the same
 * key. `file` and `reports` are names in the same folder as this file; `replay` is the
 * command the reports print, and `saved` the copy `--save` wrote. Version 1 is the only
 * version.
 */
export const FUZZ_RESULT_VERSION = 1;

/** The file's name in an `--out` folder. */
export const FUZZ_RESULT_FILE = "fuzz-result.json";

const SizeSchema = z.object({ actions: z.number().int(), steps: z.number().int(), preemptions: z.number().int() });
const count = z.number().int().nonnegative();

const FailureSchema = z.object({
  invariant: z.string(),
  invariants: z.array(z.string()),
  signature: z.string(),
  scenario: z.unknown(),
  choices: z.array(z.string()),
  run: count,
  randomSeed: z.number().int(),
  original: SizeSchema,
  shrunk: SizeSchema,
  violations: z.array(ViolationSchema),
});

const CampaignSchema = z.strictObject({
  runner: z.string().min(1),
  observer: z.string().min(1),
  seed: count,
  budget: z.number().int().positive(),
  maxSteps: z.number().int().positive(),
  scenarios: z.number().int().positive().optional(),
  time: z.number().int().positive().optional(),
  shards: z.number().int().positive(),
});

const ShardRunSchema = z.object({
  index: z.number().int().positive(),
  scenarios: count,
  schedules: count,
  steps: count,
  failingScenarios: count,
  elapsedMs: z.number().nonnegative(),
  workers: z.number().int().positive(),
  interrupted: z.literal(true).optional(),
  regressions: z.string().optional(),
});

const EntrySchema = z.object({
  index: count,
  scenarioName: z.string(),
  features: z.string(),
  occurrences: z.number().int().positive(),
  indices: z.array(count),
  seenAs: z.array(z.string().min(1)).min(1),
  failure: FailureSchema,
  file: z.string().min(1),
  reports: z.array(z.string().min(1)),
  replay: z.string(),
  saved: z.string().optional(),
});

const ResultSchema = z.object({
  version: z.number().int(),
  kind: z.literal("racelab-fuzz-result"),
  racelab: z.string(),
  campaign: CampaignSchema,
  shards: z.array(ShardRunSchema).min(1),
  scenarios: count,
  schedules: count,
  steps: count,
  failingScenarios: count,
  distinct: z.array(EntrySchema),
});

/** What a fuzz campaign's result depends on (and how it was split); equal in shards that merge. */
export type FuzzCampaignInfo = z.output<typeof CampaignSchema>;

/** One shard's run: how far it got, and on what. */
export type ShardRun = z.output<typeof ShardRunSchema>;

/** A distinct failure as the result file records it: where its schedule file and reports are. */
export interface FuzzResultEntry extends DistinctFailure {
  /** The schedule file's name, in the result's folder. */
  readonly file: string;
  /** The report files' names (HTML page, Chrome trace), in the result's folder. */
  readonly reports: readonly string[];
  /** The reproduce command the reports print. */
  readonly replay: string;
  /** The copy in the regressions folder, when saved. */
  readonly saved?: string;
}

/** A parsed `fuzz-result.json`. */
export interface FuzzResultFile {
  readonly version: typeof FUZZ_RESULT_VERSION;
  readonly kind: "racelab-fuzz-result";
  /** The racelab version that ran it: another version may generate other scenarios. */
  readonly racelab: string;
  readonly campaign: FuzzCampaignInfo;
  /** Ascending by index. */
  readonly shards: readonly ShardRun[];
  readonly scenarios: number;
  readonly schedules: number;
  readonly steps: number;
  readonly failingScenarios: number;
  readonly distinct: readonly FuzzResultEntry[];
}

/** Writes `fuzz-result.json` into `dir`; returns its path. */
export function writeFuzzResult(dir: string, result: FuzzResultFile): string {
  const path = join(dir, FUZZ_RESULT_FILE);
  writeOutputFile(path, `${JSON.stringify(result, null, 2)}\n`, "--out");
  return path;
}

/** Reads the `fuzz-result.json` of an `--out` folder; throws {@link InputError} saying what is wrong. */
export function readFuzzResult(dir: string): FuzzResultFile {
  const hint = "give the --out folders of 'racelab fuzz --shard i/n' runs";
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`merge: ${dir} is not a folder; ${hint}`);
  const path = join(dir, FUZZ_RESULT_FILE);
  if (!existsSync(path)) throw new InputError(`merge: ${dir} has no ${FUZZ_RESULT_FILE}, so it is not the output of a fuzz run (one that finished no scenario writes none); ${hint}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InputError(`merge: ${path} is not JSON (${(error as Error).message.split("\n")[0]}); ${hint}`);
  }
  const parsed = ResultSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`merge: ${path} is malformed: ${formatIssues(parsed.error)}`);
  const data = parsed.data;
  if (data.version !== FUZZ_RESULT_VERSION) throw new InputError(`merge: ${path} has version ${data.version}; this racelab reads version ${FUZZ_RESULT_VERSION}`);
  if ((data.campaign.scenarios === undefined) === (data.campaign.time === undefined)) throw new InputError(`merge: ${path} is malformed: campaign: needs exactly one of scenarios and time`);
  return {
    ...data,
    version: FUZZ_RESULT_VERSION,
    kind: "racelab-fuzz-result",
    shards: [...data.shards].sort((a, b) => a.index - b.index).map(({ interrupted, regressions, ...s }) => ({ ...s, ...(interrupted && { interrupted }), ...(regressions !== undefined && { regressions }) })),
    distinct: data.distinct.map(({ saved, failure, ...e }) => ({
      ...e,
      failure: { ...failure, scenario: parseScenario(failure.scenario, `the scenario of failure ${failure.signature} in ${path}`) },
      ...(saved !== undefined && { saved }),
    })),
  };
}

/** Which scenario indices a result covers. */
export interface Coverage {
  /** Scenarios run, over all its shards. */
  readonly total: number;
  /**
   * When the result covers every shard: indices 0..prefix-1 all ran (with `--scenarios N`
   * and nothing interrupted, prefix = total = N). With `--time` each shard gets as far as its
   * machine does in the time, so total - prefix scenarios past the prefix ran as well.
   */
  readonly prefix?: number;
}

/** The scenario indices `result` covers (see {@link Coverage}). */
export function coverageOf(result: Pick<FuzzResultFile, "campaign" | "shards">): Coverage {
  const n = result.campaign.shards;
  const total = result.shards.reduce((sum, s) => sum + s.scenarios, 0);
  if (result.shards.length !== n) return { total };
  // Shard i of n covers its indices below i-1 + s*n (its first index not run): the prefix
  // every shard has reached is the least of those.
  const reached = Math.min(...result.shards.map((s) => s.index - 1 + s.scenarios * n));
  return { total, prefix: Math.min(reached, result.campaign.scenarios ?? reached) };
}
