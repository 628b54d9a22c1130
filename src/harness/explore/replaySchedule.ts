import { resolveInvariants, loadRunner, resolveWorld } from "../resolve.ts";
import { replayChooser } from "../scheduler/strategies/replay.ts";
import { runSchedule, type ScheduleResult } from "./runSchedule.ts";
import type { ScheduleFile } from "./scheduleFile.ts";

/** How a replay compares with its recording. */
export type ReplayVerdict = "reproduced" | "different" | "passes";

/** A replayed schedule and its verdict. */
export interface ReplayOutcome {
  readonly result: ScheduleResult;
  readonly verdict: ReplayVerdict;
}

/**
 * Reruns a recorded schedule strictly (throws ReplayDivergence when the code no longer
 * offers a recorded choice) and says whether the recorded violation reproduces.
 */
export async function replaySchedule(file: ScheduleFile): Promise<ReplayOutcome> {
  const result = await runSchedule({
    scenario: file.scenario,
    runner: await loadRunner(file.runner),
    invariants: resolveInvariants(file.scenario),
    chooser: replayChooser(file.choices),
    maxSteps: file.maxSteps,
    world: resolveWorld(file.scenario, file.observer, file.transport, file.granularity),
  });
  const now = new Set(result.violations.map((v) => v.invariant));
  const recorded = file.violations.map((v) => v.invariant);
  let verdict: ReplayVerdict = "passes";
  if (now.size > 0) verdict = recorded.length > 0 && recorded.every((inv) => now.has(inv)) ? "reproduced" : "different";
  return { result, verdict };
}
