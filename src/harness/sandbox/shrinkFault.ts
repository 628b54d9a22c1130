import type { ScheduleResult } from "../explore/runSchedule.ts";
import type { ScheduleSize } from "../explore/shrinkSize.ts";
import { withoutOneAction } from "../explore/smallerScenarios.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { Limits } from "./limits.ts";
import { postMortem, type StoppedRun } from "./postMortem.ts";
import { runSandboxed } from "./Sandbox.ts";

/** A fault shrunk: the smaller scenario and its run, and what it took. */
export interface ShrunkFault {
  readonly scenario: Scenario;
  readonly result: ScheduleResult;
  readonly original: ScheduleSize;
  readonly shrunk: ScheduleSize;
  readonly attempts: number;
}

/**
 * Shrinks a run that never came back (`runner-timeout`, `runner-oom`) by dropping client
 * actions while the same fault still happens. Every candidate runs in a sandbox of its own
 * and the ones that still fault cost the step budget each, so this tries a bounded number
 * (`budget`), under a step budget no longer than needed to see the spin again; the steps
 * themselves are already as few as the fault allows (the run stops at the step that spins).
 */
export async function shrinkFault(run: StoppedRun, found: ScheduleResult, limits: Limits, budget = 12): Promise<ShrunkFault> {
  const invariant = found.violations.find((v) => v.invariant === "runner-timeout" || v.invariant === "runner-oom")?.invariant;
  const quick: Limits = { ...limits, stepTimeoutMs: Math.min(limits.stepTimeoutMs, 500) };
  const size = (scenario: Scenario, result: ScheduleResult): ScheduleSize => ({
    actions: scenario.clients.reduce((n, c) => n + c.actions.length, 0),
    steps: result.end.steps,
    preemptions: result.preemptions,
  });
  let best = { scenario: run.scenario, result: found };
  const original = size(run.scenario, found);
  let attempts = 0;
  for (let progress = true; progress && invariant && attempts < budget; ) {
    progress = false;
    for (const scenario of withoutOneAction(best.scenario)) {
      if (attempts >= budget) break;
      attempts += 1;
      const candidate = { ...run, scenario };
      const done = await runSandboxed({ kind: "schedule", ...candidate, chooser: { kind: "lenient", prefs: best.result.choices } }, quick);
      if (!done.fault) continue;
      // The candidate stopped under the quick budget; the finding is reported against the
      // user's (the step that spins did so under it in the run that was found).
      const fault = done.fault.kind === "timeout" ? { ...done.fault, limit: limits.stepTimeoutMs } : done.fault;
      const result = await postMortem(candidate, fault, limits);
      if (!result.violations.some((v) => v.invariant === invariant)) continue;
      best = { scenario, result };
      progress = true;
      break;
    }
  }
  return { scenario: best.scenario, result: best.result, original, shrunk: size(best.scenario, best.result), attempts };
}
