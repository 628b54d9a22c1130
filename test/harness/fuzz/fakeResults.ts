import { DistinctFailures } from "../../../src/harness/fuzz/distinctFailures.ts";
import { FUZZ_RESULT_VERSION, type FuzzCampaignInfo, type FuzzResultEntry, type FuzzResultFile } from "../../../src/harness/fuzz/fuzzResultFile.ts";
import type { FuzzFailure } from "../../../src/harness/fuzz/fuzzTask.ts";
import type { ShardResult } from "../../../src/harness/fuzz/mergeResults.ts";
import { generateScenario } from "../../../src/harness/fuzz/swarmScenario.ts";
import { shardItem, shardSize, type Shard } from "../../../src/harness/gate/shard.ts";

/**
 * Made-up fuzz results for the merge's tests (no campaign runs).
 *
 * A made-up campaign outcome per scenario index: indices divisible by 3 pass, the others fail
 * with one of four signatures (by k / 3, so not aligned with any shard count), so a signature
 * turns up in several scenarios and in several shards, first at different indices.
 */
export const signatureOf = (k: number): string | undefined => (k % 3 === 0 ? undefined : `inv-${Math.floor(k / 3) % 4}@hash`);

/** A made-up shrunk failure of scenario k (its scenario is the real generated one, so files validate). */
export function failure(k: number, signature: string): FuzzFailure {
  const size = { actions: 1, steps: 10 + k, preemptions: 0 };
  return { invariant: signature.split("@")[0]!, invariants: [signature.split("@")[0]!], signature, scenario: generateScenario(1, k).scenario, choices: [`step of #${k}`], run: 0, randomSeed: k, original: size, shrunk: size, violations: [] };
}

/** A campaign of 40 scenarios on upstream, seed 1, in n shards. */
export const campaign = (n: number, over: Partial<FuzzCampaignInfo> = {}): FuzzCampaignInfo => ({ runner: "upstream", observer: "fixed", seed: 1, budget: 200, maxSteps: 1000, scenarios: 40, shards: n, ...over });

/** What a shard (or, with 1/1, one machine) running `ran` of its scenarios records, deduplicated as the campaign does: in index order. */
export function shardResult(shard: Shard, ran: number, info: FuzzCampaignInfo = campaign(shard.count)): FuzzResultFile {
  const distinct = new DistinctFailures<FuzzResultEntry>();
  let failing = 0;
  for (let j = 0; j < ran; j++) {
    const k = shardItem(shard, j);
    const signature = signatureOf(k);
    if (!signature) continue;
    failing += 1;
    const file = `fuzz-1-${k}.json`;
    distinct.add({ index: k, scenarioName: `fuzz-1-${k}`, features: "f", failure: failure(k, signature), occurrences: 1, indices: [k], seenAs: [failure(k, signature).invariant], file, reports: [], replay: `npx racelab replay x/${file}` });
  }
  const run = { index: shard.index, scenarios: ran, schedules: ran * 5, steps: ran * 50, failingScenarios: failing, elapsedMs: 1, workers: 1 };
  return { version: FUZZ_RESULT_VERSION, kind: "racelab-fuzz-result", racelab: "0.1.0", campaign: info, shards: [run], scenarios: ran, schedules: run.schedules, steps: run.steps, failingScenarios: failing, distinct: distinct.list() };
}

/** Every shard of n over `total` scenarios, as the folders fuzz-1 .. fuzz-n. */
export const shardsOf = (n: number, total: number): ShardResult[] =>
  Array.from({ length: n }, (_, i) => ({ dir: `fuzz-${i + 1}`, result: shardResult({ index: i + 1, count: n }, shardSize({ index: i + 1, count: n }, total)) }));

