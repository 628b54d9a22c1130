import { z } from "zod";
import { InputError } from "../harness/errors.ts";
import { checkInvariantNames, checkObserverName, ExpectSchema } from "../harness/gate/expectations.ts";
import { formatIssues } from "../harness/scenario/parseScenario.ts";
import { StrategiesMap } from "../harness/scheduler/strategies/index.ts";

const RaceOptionsSchema = z
  .object({
    scenario: z.union([z.string().min(1), z.object({}).passthrough()], { error: "scenario must be a built-in scenario's name, a path to a scenario file or a scenario object" }),
    runner: z.union([z.string().min(1), z.object({ create: z.function() }).passthrough()], { error: "runner must be a built-in runner's name, a path to a runner module, or a RunnerVariant" }),
    observer: z.string().min(1).optional(),
    granularity: z.enum(["step", "suspend"]).optional(),
    strategy: z.string().min(1).optional(),
    runs: z.number().int().min(1, { error: "runs must be a whole number >= 1 (a race test that runs nothing tests nothing)" }).optional(),
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    maxSteps: z.number().int().min(1).optional(),
    expect: ExpectSchema.optional(),
    out: z.string().min(1).optional(),
    timeout: z.number().int().min(1).optional(),
    stepTimeout: z.number().int().min(10).optional(),
    memoryLimit: z.number().int().min(64).optional(),
  })
  .strict();

/**
 * Checks raceTest's options the way the gate checks its rows, with the same messages: a
 * misspelt invariant, observer or strategy is one clear error before anything runs.
 */
export function validateRaceOptions(name: string, options: unknown): void {
  const where = `raceTest '${name}'`;
  const parsed = RaceOptionsSchema.safeParse(options);
  if (!parsed.success) throw new InputError(`${where}: ${formatIssues(parsed.error)}`);
  const o = parsed.data;
  if (o.expect && o.expect !== "pass") checkInvariantNames(o.expect, where);
  if (o.observer) checkObserverName(o.observer, where);
  if (o.strategy && !Object.hasOwn(StrategiesMap, o.strategy)) {
    throw new InputError(`${where}: unknown strategy '${o.strategy}'; use one of: ${Object.keys(StrategiesMap).join(", ")}`);
  }
}
