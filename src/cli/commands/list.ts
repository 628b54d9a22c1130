import { ScenariosMap } from "../../harness/scenario/builtin/index.ts";
import { InvariantsMap } from "../../harness/invariants/index.ts";
import { ObserversMap } from "../../subjects/observers/index.ts";
import { RunnersMap } from "../../subjects/runner/variants/index.ts";
import { EffectRunnerDescriptions } from "../../subjects/effect-runner/variants/descriptions.ts";
import { SUPPORTED_EFFECT } from "../../boundaries/effect/supportedVersion.ts";
import { StrategyDescriptions } from "../../harness/scheduler/strategies/index.ts";
import type { Io } from "../main.ts";

/** `racelab list`: every registered scenario, runner, run observer, strategy and invariant. */
export function listCommand(io: Io, options: { json?: boolean }): number {
  const data = {
    scenarios: Object.values(ScenariosMap).map((s) => ({ name: s.name, description: s.description })),
    runners: [
      ...Object.values(RunnersMap).map((r) => ({ name: r.name, description: r.description })),
      // The Effect variants, named without loading `effect` (an optional peer dependency).
      ...Object.entries(EffectRunnerDescriptions).map(([name, description]) => ({ name, description: `${description} [needs effect ${SUPPORTED_EFFECT}]` })),
    ],
    observers: Object.values(ObserversMap).map((o) => ({ name: o.name, description: o.description })),
    strategies: Object.entries(StrategyDescriptions).map(([name, description]) => ({ name, description })),
    invariants: Object.values(InvariantsMap).map((i) => ({ name: i.name, description: i.description })),
  };
  if (options.json) {
    io.out(JSON.stringify(data, null, 2));
    return 0;
  }
  for (const [section, rows] of Object.entries(data)) {
    io.out(`${section}:`);
    const width = Math.max(...rows.map((r) => r.name.length));
    for (const row of rows) io.out(`  ${row.name.padEnd(width)}  ${row.description}`);
    io.out("");
  }
  return 0;
}
