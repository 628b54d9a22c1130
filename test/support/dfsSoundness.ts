import { describe, expect, it } from "vitest";
import { explore } from "../../src/harness/explore/explore.ts";
import { endStateFingerprint } from "../../src/harness/explore/fingerprint.ts";
import { loadRunner, resolveInvariants, resolveWorld } from "../../src/harness/resolve.ts";
import { ScenariosMap, type BuiltinScenario } from "../../src/harness/scenario/builtin/index.ts";
import { dfs } from "../../src/harness/scheduler/strategies/dfs.ts";

/** What one exhaustive search found: whether it completed, the invariants it saw fail, the end states it reached. */
export interface Search {
  readonly complete: boolean;
  readonly schedules: number;
  readonly invariants: ReadonlySet<string>;
  readonly endStates: ReadonlySet<number>;
}

/** DFS over a built-in scenario on a runner with a preemption bound, plain or reduced, within `budget` schedules. */
export async function search(name: BuiltinScenario, runnerName: string, bound: number, reduction: boolean, budget: number): Promise<Search> {
  const scenario = ScenariosMap[name];
  const runner = await loadRunner(runnerName);
  const strategy = dfs({ seed: 1, preemptions: bound, reduction });
  const endStates = new Set<number>();
  const result = await explore({
    scenario,
    runner,
    strategy,
    invariants: resolveInvariants(scenario),
    runs: budget,
    maxSteps: 1000,
    keepGoing: true,
    concurrency: 1,
    // Scenarios with a run command use the observer upstream had.
    world: resolveWorld(scenario, "main-idle", undefined),
    onSchedule: (r) => {
      if (!r.abandoned) endStates.add(endStateFingerprint(r.trace));
    },
  });
  const invariants = new Set(result.failures.flatMap((f) => f.violations.map((v) => v.invariant)));
  return { complete: result.exhausted, schedules: result.schedulesRun, invariants, endStates };
}

/**
 * The soundness test of the reduced search: for every built-in scenario on `runner`, at
 * bounds 0, 1 and 2, where plain DFS completes within `budget` schedules, source-DPOR with
 * sleep sets must complete too, find every invariant plain DFS finds, and reach exactly the
 * same set of end states. A bound whose plain search did not complete is not tried higher
 * (the tree only grows with the bound).
 */
export function soundnessSuite(runner: string, budget: number): void {
  describe(`dfs reduction is sound on ${runner}`, () => {
    let total = 0;
    for (const name of Object.keys(ScenariosMap) as BuiltinScenario[]) {
      it(`${name}: at bounds 0-2, wherever plain DFS completes in ${budget} schedules, the reduced search finds the same invariants and end states`, async () => {
        let compared = 0;
        for (const bound of [0, 1, 2]) {
          const plain = await search(name, runner, bound, false, budget);
          if (!plain.complete) break;
          const reduced = await search(name, runner, bound, true, budget);
          const where = `${name} on ${runner}, bound ${bound}`;
          expect(reduced.complete, where).toBe(true);
          expect([...plain.invariants].filter((i) => !reduced.invariants.has(i)), `${where}: invariants the reduced search missed`).toEqual([]);
          expect([...reduced.endStates].sort(), `${where}: end states`).toEqual([...plain.endStates].sort());
          expect(reduced.schedules, where).toBeLessThanOrEqual(plain.schedules);
          compared += 1;
          total += 1;
        }
        // A scenario whose plain search never completes tests nothing here; say so in the name, not with a pass.
        if (compared === 0) console.info(`${name} on ${runner}: plain DFS does not complete in ${budget} schedules even at bound 0; not compared`);
      });
    }
    it("compared at least one scenario and bound (a suite that compared nothing would test nothing)", () => {
      expect(total).toBeGreaterThan(0);
    });
  });
}
