import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { explore } from "../explore/explore.ts";
import { resolveInvariants } from "../resolve.ts";
import { ScenariosMap } from "../scenario/builtin/index.ts";
import { StrategiesMap } from "../scheduler/strategies/index.ts";
import { RunnersMap } from "../../subjects/runner/variants/index.ts";
import { timed } from "./measure.ts";

/** Memory of one long exploration, early and at the end. */
export interface MemoryGrowth {
  readonly scenario: string;
  /** Schedules run when the early sample was taken, and in all. */
  readonly earlySchedules: number;
  readonly schedules: number;
  readonly ms: number;
  readonly rssEarlyMiB: number;
  readonly rssEndMiB: number;
  /** Heap in use after a full collection, after `early` schedules and after the last. */
  readonly heapUsedEarlyMiB: number;
  readonly heapUsedEndMiB: number;
  /** rssEnd / rssEarly: flat is close to 1 (target <= 1.1). */
  readonly rssGrowth: number;
  /** The process's peak RSS so far (everything the bench ran before this too). */
  readonly peakRssMiB: number;
}

/**
 * One exploration of `schedules` schedules (double-prompt-async, fixed runner, random, 16 at a
 * time), with the process's resident memory taken after `early` schedules and after the last:
 * what an exploration keeps per schedule (its distinct-schedule and end-state counts, failures
 * found) must not grow with their number.
 */
export async function memoryGrowth(early: number, schedules: number): Promise<MemoryGrowth> {
  const scenario = ScenariosMap["double-prompt-async"];
  const collect = garbageCollector();
  let sample: NodeJS.MemoryUsage | undefined;
  const { ms } = await timed(() =>
    explore({
      scenario,
      runner: RunnersMap.fixed,
      strategy: StrategiesMap.random({ seed: 1 }),
      invariants: resolveInvariants(scenario),
      runs: schedules,
      maxSteps: 1000,
      keepGoing: true,
      concurrency: 16,
      onProgress: (ran) => {
        if (sample !== undefined || ran < early) return;
        collect();
        sample = process.memoryUsage();
      },
    }),
  );
  collect();
  const end = process.memoryUsage();
  const first = sample ?? end;
  return {
    scenario: scenario.name,
    earlySchedules: early,
    schedules,
    ms: Math.round(ms),
    rssEarlyMiB: mib(first.rss),
    rssEndMiB: mib(end.rss),
    heapUsedEarlyMiB: mib(first.heapUsed),
    heapUsedEndMiB: mib(end.heapUsed),
    rssGrowth: Math.round((end.rss / first.rss) * 100) / 100,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function mib(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

/**
 * A full collection before each sample, so the heap figures are live memory, not garbage
 * waiting for the next GC. V8's `gc` is reached without `--expose-gc` on the command line.
 */
function garbageCollector(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (() => void) | undefined;
  return () => gc?.();
}
