import { InputError } from "../errors.ts";
import { DistinctFailures } from "./distinctFailures.ts";
import type { FuzzCampaignInfo, FuzzResultEntry, FuzzResultFile, ShardRun } from "./fuzzResultFile.ts";

/** A result file and the folder it was read from. */
export interface ShardResult {
  readonly dir: string;
  readonly result: FuzzResultFile;
}

/** A merged distinct failure: the representative's entry and the folder its files are in. */
export interface MergedEntry extends FuzzResultEntry {
  readonly from: string;
}

/** Shards merged: the result file one machine would have written, but with entries pointing at the shards' folders. */
export interface MergedResult extends Omit<FuzzResultFile, "distinct"> {
  readonly distinct: readonly MergedEntry[];
}

/** The flag behind each campaign field, for the mismatch message (`shards` is said apart). */
const FLAGS: Record<Exclude<keyof FuzzCampaignInfo, "shards">, string> = {
  runner: "--runner",
  observer: "--observer",
  seed: "--seed",
  budget: "--budget",
  maxSteps: "--max-steps",
  scenarios: "--scenarios",
  time: "--time",
};

/**
 * Merges the results of a campaign's shards into what one machine would have found for the
 * same seed and total budget. The shards must be of one campaign (same racelab version and
 * same `campaign`) and together be every shard once; anything else is an InputError naming
 * the folder. Counts add up; distinct failures are deduplicated again with DistinctFailures
 * (the campaign's own rule), which keeps for each key the lowest scenario index: that is the
 * one one machine keeps too, as it takes outcomes in index order, so the merge does not
 * depend on the shard count. (A merge's own result, which covers every shard, merges alone.)
 */
export function mergeResults(inputs: readonly ShardResult[]): MergedResult {
  const first = inputs[0];
  if (!first) throw new InputError("merge: no folder given; pass the --out folder of every shard");
  for (const input of inputs.slice(1)) sameCampaign(first, input);
  const n = first.result.campaign.shards;
  const owner = new Map<number, string>();
  const shards: ShardRun[] = [];
  for (const { dir, result } of inputs) {
    for (const s of result.shards) {
      const other = owner.get(s.index);
      if (other !== undefined) throw new InputError(`merge: shard ${s.index}/${n} is in both ${other} and ${dir}; give each shard once`);
      owner.set(s.index, dir);
      shards.push(s);
    }
  }
  const missing = Array.from({ length: n }, (_, k) => k + 1).filter((i) => !owner.has(i));
  if (missing.length > 0) {
    const have = [...owner.keys()].sort((a, b) => a - b).join(", ");
    const which = missing.length === 1 ? `shard ${missing[0]} of ${n} is` : `shards ${missing.join(", ")} of ${n} are`;
    throw new InputError(`merge: ${which} missing (have ${have}); give the --out folder of every shard`);
  }
  const distinct = new DistinctFailures<MergedEntry>();
  for (const { dir, result } of inputs) for (const e of result.distinct) distinct.add({ ...e, from: dir });
  const sum = (field: "scenarios" | "schedules" | "steps" | "failingScenarios") => inputs.reduce((total, { result }) => total + result[field], 0);
  return {
    version: first.result.version,
    kind: first.result.kind,
    racelab: first.result.racelab,
    campaign: first.result.campaign,
    shards: shards.sort((a, b) => a.index - b.index),
    scenarios: sum("scenarios"),
    schedules: sum("schedules"),
    steps: sum("steps"),
    failingScenarios: sum("failingScenarios"),
    distinct: distinct.list(),
  };
}

/** Throws unless `b` was run by the same racelab with the same campaign as `a`. */
function sameCampaign(a: ShardResult, b: ShardResult): void {
  const why = "merge only the shards of one campaign";
  if (a.result.racelab !== b.result.racelab) throw new InputError(`merge: ${b.dir} was run by racelab ${b.result.racelab}, ${a.dir} by ${a.result.racelab}; ${why}, run by one version`);
  if (a.result.campaign.shards !== b.result.campaign.shards) {
    const of = (r: ShardResult) => (r.result.campaign.shards === 1 ? `${r.dir} was run without --shard` : `${r.dir} is a shard of ${r.result.campaign.shards}`);
    throw new InputError(`merge: ${of(b)}, ${of(a)}; ${why}`);
  }
  for (const [field, flag] of Object.entries(FLAGS) as [keyof typeof FLAGS, string][]) {
    const x = a.result.campaign[field];
    const y = b.result.campaign[field];
    if (x === y) continue;
    const how = (v: string | number | undefined) => (v === undefined ? `without ${flag}` : `with ${flag} ${v}`);
    throw new InputError(`merge: ${b.dir} was run ${how(y)}, ${a.dir} ${how(x)}; ${why}`);
  }
}
