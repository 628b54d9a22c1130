import { explore } from "../explore/explore.ts";
import { resolveInvariants, resolveWorld } from "../resolve.ts";
import type { Scenario } from "../scenario/schema.ts";
import { StrategiesMap } from "../scheduler/strategies/index.ts";
import { RunnersMap } from "../../subjects/runner/variants/index.ts";
import { timed } from "./measure.ts";

/**
 * Schedules/s and µs per step of one scenario on the fixed runner (observer `fixed`), in process
 * and over HTTP (the SDK client and msw), measured alternately so both see the same machine.
 */
export async function transportSpeed(scenario: Scenario, runs: number, rounds = 2) {
  const samples = { inproc: [] as { perSecond: number; microsPerStep: number }[], http: [] as { perSecond: number; microsPerStep: number }[] };
  for (let round = 0; round < rounds; round++) {
    for (const transport of ["inproc", "http"] as const) {
      const { value, ms } = await timed(() =>
        explore({
          scenario,
          runner: RunnersMap.fixed,
          strategy: StrategiesMap.random({ seed: 1 }),
          invariants: resolveInvariants(scenario),
          runs,
          maxSteps: 1000,
          keepGoing: true,
          concurrency: 16,
          world: resolveWorld(scenario, "fixed", transport),
        }),
      );
      samples[transport].push({ perSecond: (value.schedulesRun / ms) * 1000, microsPerStep: (ms * 1000) / Math.max(1, value.stats.steps.avg * value.schedulesRun) });
    }
  }
  const best = (xs: { perSecond: number; microsPerStep: number }[]) => xs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const inproc = best(samples.inproc);
  const http = best(samples.http);
  return {
    scenario: scenario.name,
    inproc: { schedulesPerSecond: Math.round(inproc.perSecond), microsPerStep: Math.round(inproc.microsPerStep * 10) / 10 },
    http: { schedulesPerSecond: Math.round(http.perSecond), microsPerStep: Math.round(http.microsPerStep * 10) / 10 },
    httpVsInproc: Math.round((http.perSecond / inproc.perSecond) * 100) / 100,
  };
}
