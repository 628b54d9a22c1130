import { readFileSync } from "node:fs";
import { z } from "zod";
import { ScenariosMap } from "../../scenarios/index.ts";
import { InputError } from "../errors.ts";
import { InvariantsMap } from "../invariants/index.ts";
import { ObserversMap } from "../observers/index.ts";
import { RunnersMap } from "../runner/variants/index.ts";
import { formatIssues } from "../scenario/parseScenario.ts";
import { StrategiesMap } from "../scheduler/strategies/index.ts";

/** Where `racelab gate` reads its table unless told otherwise. */
export const DEFAULT_EXPECTATIONS = "scenarios/expectations.json";

const RowSchema = z
  .object({
    scenario: z.string().min(1),
    runner: z.string().min(1),
    /** Only for scenarios with a run command. */
    observer: z.string().min(1).optional(),
    /** `pass`: no violation within the budget. A list: each of these invariants must fail within it. */
    expect: z.union([z.literal("pass"), z.array(z.string().min(1)).min(1)]),
  })
  .strict();

const ExpectationsSchema = z
  .object({
    version: z.literal(1),
    about: z.string().optional(),
    seed: z.number().int(),
    runs: z.number().int().positive(),
    maxSteps: z.number().int().positive(),
    strategy: z.string().min(1),
    rows: z.array(RowSchema).min(1),
  })
  .strict();

/** One row of the table: scenario x runner (x observer) -> what must happen. */
export type ExpectationRow = z.output<typeof RowSchema>;

/**
 * The gate's expectations table (`scenarios/expectations.json`): plain, versioned JSON.
 *
 * ```json
 * { "version": 1, "seed": 1, "runs": 2000, "maxSteps": 1000, "strategy": "portfolio",
 *   "rows": [
 *     { "scenario": "idle-prompt-async", "runner": "upstream", "expect": ["every-message-answered"] },
 *     { "scenario": "sync-child", "runner": "fixed", "observer": "fixed", "expect": "pass" } ] }
 * ```
 *
 * A row that lists invariants holds when each of them fails within the budget and no other
 * invariant failed before they all had; a `pass` row holds when nothing fails.
 */
export type Expectations = z.output<typeof ExpectationsSchema>;

/** A row's stable name: `scenario · runner · observer`. */
export function rowKey(row: Pick<ExpectationRow, "scenario" | "runner" | "observer">): string {
  return [row.scenario, row.runner, row.observer].filter(Boolean).join(" · ");
}

/**
 * Reads and validates the table. Every name must exist; a row may appear once; an observer
 * only where the scenario has a run command (and one is required there). Throws
 * {@link InputError} saying which row is wrong and how.
 */
export function readExpectations(path: string): Expectations {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : (error as Error).message.split("\n")[0];
    throw new InputError(`cannot read expectations '${path}': ${why}; pass --expectations <file> (default ${DEFAULT_EXPECTATIONS})`);
  }
  const parsed = ExpectationsSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`expectations '${path}' are malformed: ${formatIssues(parsed.error)}`);
  const table = parsed.data;
  if (!Object.hasOwn(StrategiesMap, table.strategy)) {
    throw new InputError(`expectations '${path}': unknown strategy '${table.strategy}'; use one of: ${Object.keys(StrategiesMap).join(", ")}`);
  }
  const seen = new Set<string>();
  table.rows.forEach((row, i) => {
    const where = `expectations '${path}', row ${i + 1} (${rowKey(row)})`;
    const scenario = (ScenariosMap as Record<string, (typeof ScenariosMap)[keyof typeof ScenariosMap]>)[row.scenario];
    if (!scenario) throw new InputError(`${where}: unknown scenario '${row.scenario}'; use one of: ${Object.keys(ScenariosMap).join(", ")}`);
    if (!Object.hasOwn(RunnersMap, row.runner)) throw new InputError(`${where}: unknown runner '${row.runner}'; use one of: ${Object.keys(RunnersMap).join(", ")}`);
    if (scenario.run && !row.observer) throw new InputError(`${where}: scenario '${row.scenario}' has a run command, so the row needs an observer (${Object.keys(ObserversMap).join(", ")})`);
    if (!scenario.run && row.observer) throw new InputError(`${where}: scenario '${row.scenario}' has no run command; remove the observer`);
    if (row.observer && !Object.hasOwn(ObserversMap, row.observer)) throw new InputError(`${where}: unknown observer '${row.observer}'; use one of: ${Object.keys(ObserversMap).join(", ")}`);
    if (row.expect !== "pass") {
      for (const name of row.expect) {
        if (!Object.hasOwn(InvariantsMap, name)) throw new InputError(`${where}: unknown invariant '${name}'; use one of: ${Object.keys(InvariantsMap).join(", ")}`);
      }
    }
    const key = rowKey(row);
    if (seen.has(key)) throw new InputError(`${where}: this row appears twice; keep one`);
    seen.add(key);
  });
  return table;
}

/**
 * Scenario x runner pairs (and observers, for run scenarios) the table has no row for. The
 * gate fails on each: a new scenario or variant must say what it expects.
 */
export function missingRows(table: Expectations): string[] {
  const have = new Set(table.rows.map(rowKey));
  const missing: string[] = [];
  for (const [scenario, s] of Object.entries(ScenariosMap)) {
    for (const runner of Object.keys(RunnersMap)) {
      const observers = s.run ? Object.keys(ObserversMap) : [undefined];
      for (const observer of observers) {
        const key = rowKey({ scenario, runner, ...(observer && { observer }) });
        if (!have.has(key)) missing.push(key);
      }
    }
  }
  return missing;
}
