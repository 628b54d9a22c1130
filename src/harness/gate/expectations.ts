import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { isRunnerPath, toSpec } from "../../boundaries/loaders/loadRunnerModule.ts";
import { isObserverPath } from "../../boundaries/loaders/loadObserverModule.ts";
import { ScenariosMap } from "../scenario/builtin/index.ts";
import { InputError } from "../errors.ts";
import { InvariantsMap } from "../invariants/index.ts";
import { ObserversMap } from "../../subjects/observers/index.ts";
import { BUILTIN_RUNNERS } from "../resolve.ts";
import { formatIssues } from "../scenario/parseScenario.ts";
import { StrategiesMap } from "../scheduler/strategies/index.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { Limits } from "../sandbox/limits.ts";
import { rowScenario } from "./rowScenario.ts";

/** A project's own table, looked for in the working directory first. */
export const LOCAL_EXPECTATIONS = "scenarios/expectations.json";

/** racelab's own table, shipped with the package (the built-in scenarios x runners x observers). */
export const BUILTIN_EXPECTATIONS = fileURLToPath(new URL("../../../scenarios/expectations.json", import.meta.url));

/**
 * The table `racelab gate` reads unless told otherwise: `scenarios/expectations.json` in the
 * working directory when there is one (racelab's own checkout, or a project that keeps its
 * table there), else the one shipped with the package.
 */
export function defaultExpectations(cwd = process.cwd()): string {
  return existsSync(resolve(cwd, LOCAL_EXPECTATIONS)) ? LOCAL_EXPECTATIONS : shownPath(BUILTIN_EXPECTATIONS, cwd);
}

/** The saved regressions that go with a table: the `regressions/` folder beside it. */
export function defaultRegressions(expectations: string): string {
  return join(dirname(expectations), "regressions");
}

function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
}

/** What must happen on a row (or a raceTest): `pass`, or the invariants that must fail. */
export const ExpectSchema = z.union([z.literal("pass"), z.array(z.string().min(1)).min(1)], {
  error: "expect must be \"pass\" or a non-empty list of invariant names",
});

/** Throws the gate's error for the first name in `names` that is not an invariant. */
export function checkInvariantNames(names: readonly string[], where: string): void {
  for (const name of names) {
    if (!Object.hasOwn(InvariantsMap, name)) throw new InputError(`${where}: unknown invariant '${name}'; use one of: ${Object.keys(InvariantsMap).join(", ")}`);
  }
}

/** Throws the gate's error when `name` is not an observer. */
export function checkObserverName(name: string, where: string): void {
  if (!Object.hasOwn(ObserversMap, name)) throw new InputError(`${where}: unknown observer '${name}'; use one of: ${Object.keys(ObserversMap).join(", ")}`);
}

const RowSchema = z
  .object({
    scenario: z.string().min(1),
    runner: z.string().min(1),
    /** Only for scenarios with a run command. */
    observer: z.string().min(1).optional(),
    /** `pass`: no violation within the budget. A list: each of these invariants must fail within it. */
    expect: ExpectSchema,
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
    /**
     * What the coverage check wants a row for. `table` (the default): every scenario the table
     * names x every runner it names (x every observer it names, for scenarios with a run
     * command). `builtin`: every built-in scenario x runner x observer (racelab's own table).
     */
    coverage: z.enum(["table", "builtin"]).optional(),
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
 *     { "scenario": "idle-prompt-async", "runner": "./my-runner.ts", "expect": "pass" },
 *     { "scenario": "sync-child", "runner": "fixed", "observer": "fixed", "expect": "pass" } ] }
 * ```
 *
 * A scenario is a built-in name or a path to a scenario file (JSON or a TS/JS module); a
 * runner is a built-in name or a path to a runner module; paths are relative to the table's folder.
 * `coverage` (optional, `table` or `builtin`) says which rows the coverage check wants.
 *
 * A row that lists invariants holds when each of them fails within the budget and no other
 * invariant failed before they all had; a `pass` row holds when nothing fails.
 */
export type Expectations = z.output<typeof ExpectationsSchema>;

/** A row's stable name: `scenario · runner · observer`. */
export function rowKey(row: Pick<ExpectationRow, "scenario" | "runner" | "observer">): string {
  return [row.scenario, row.runner, row.observer].filter(Boolean).join(" · ");
}

/** The table as the gate runs it: its rows, and the scenario each row's `scenario` names. */
export type GateTable = Expectations & { readonly scenarios: Readonly<Record<string, Scenario>> };

/**
 * Reads and validates the table. Every name must exist, and every scenario file must load
 * and validate; a row may appear once; an observer only where the scenario has a run command
 * (and one is required there). Throws {@link InputError} saying which row is wrong and how.
 */
export async function readExpectations(path: string, limits?: Limits): Promise<GateTable> {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new InputError(`expectations '${path}' is a folder; pass the table's file, e.g. --expectations ${join(path, "expectations.json")}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : (error as Error).message.split("\n")[0];
    throw new InputError(`cannot read expectations '${path}': ${why}; pass --expectations <file> (default ${LOCAL_EXPECTATIONS}, else racelab's own table)`);
  }
  const parsed = ExpectationsSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`expectations '${path}' are malformed: ${formatIssues(parsed.error)}`);
  const table = parsed.data;
  if (!Object.hasOwn(StrategiesMap, table.strategy)) {
    throw new InputError(`expectations '${path}': unknown strategy '${table.strategy}'; use one of: ${Object.keys(StrategiesMap).join(", ")}`);
  }
  const seen = new Set<string>();
  const scenarios: Record<string, Scenario> = {};
  const loaded: Record<string, Scenario> = {};
  const rows: ExpectationRow[] = [];
  for (const [i, written] of table.rows.entries()) {
    const where = `expectations '${path}', row ${i + 1} (${rowKey(written)})`;
    const { key: scenarioKey, scenario } = await rowScenario(written.scenario, path, where, loaded, limits);
    scenarios[scenarioKey] = scenario;
    // Paths are relative to the table; the gate loads (and failure files record) them relative to the working directory.
    const fromTable = (spec: string) => toSpec(resolve(dirname(path), spec));
    const row = {
      ...written,
      scenario: scenarioKey,
      ...(isRunnerPath(written.runner) && { runner: fromTable(written.runner) }),
      ...(written.observer && isObserverPath(written.observer) && { observer: fromTable(written.observer) }),
    };
    if (isRunnerPath(written.runner)) {
      const file = resolve(dirname(path), written.runner);
      if (!existsSync(file)) throw new InputError(`${where}: runner module '${written.runner}' not found (looked at ${file}); paths are relative to the table's folder`);
    } else if (!BUILTIN_RUNNERS.includes(row.runner)) {
      throw new InputError(`${where}: unknown runner '${row.runner}'; use one of: ${BUILTIN_RUNNERS.join(", ")}, or a path to a runner module`);
    }
    if (scenario.run && !row.observer) throw new InputError(`${where}: scenario '${written.scenario}' has a run command, so the row needs an observer (${Object.keys(ObserversMap).join(", ")})`);
    if (!scenario.run && row.observer) throw new InputError(`${where}: scenario '${written.scenario}' has no run command; remove the observer`);
    if (written.observer && isObserverPath(written.observer)) {
      const file = resolve(dirname(path), written.observer);
      if (!existsSync(file)) throw new InputError(`${where}: observer module '${written.observer}' not found (looked at ${file}); paths are relative to the table's folder`);
    } else if (row.observer) checkObserverName(row.observer, where);
    if (row.expect !== "pass") checkInvariantNames(row.expect, where);
    const key = rowKey(row);
    if (seen.has(key)) throw new InputError(`${where}: this row appears twice; keep one`);
    seen.add(key);
    rows.push(row);
  }
  return { ...table, rows, scenarios };
}

/**
 * Scenario x runner pairs (and observers, for run scenarios) the table has no row for. The
 * gate fails on each: a new scenario or variant must say what it expects. Which pairs count
 * is the table's `coverage`: the names it uses (`table`), or every built-in one (`builtin`).
 */
export function missingRows(table: GateTable): string[] {
  const have = new Set(table.rows.map(rowKey));
  const builtin = table.coverage === "builtin";
  const scenarios = builtin ? Object.keys(ScenariosMap) : distinct(table.rows.map((r) => r.scenario));
  const runners = builtin ? BUILTIN_RUNNERS : distinct(table.rows.map((r) => r.runner));
  const observerNames = builtin ? Object.keys(ObserversMap) : distinct(table.rows.flatMap((r) => (r.observer ? [r.observer] : [])));
  const missing: string[] = [];
  for (const scenario of scenarios) {
    const s = table.scenarios[scenario] ?? (ScenariosMap as Record<string, Scenario>)[scenario]!;
    for (const runner of runners) {
      const observers = s.run ? observerNames : [undefined];
      for (const observer of observers) {
        const key = rowKey({ scenario, runner, ...(observer && { observer }) });
        if (!have.has(key)) missing.push(key);
      }
    }
  }
  return missing;
}

function distinct(names: readonly string[]): string[] {
  return [...new Set(names)];
}
