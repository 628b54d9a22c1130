import type { Interrupt } from "../interrupt.ts";
import { count } from "../output/plural.ts";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { RacelabError } from "../errors.ts";
import type { RecordedFailure } from "../explore/recordFailure.ts";
import { resolveLimits, type Limits } from "../sandbox/limits.ts";
import { sandboxed } from "../sandbox/Sandbox.ts";
import { exploreWatched, worldSpec } from "../sandbox/watched.ts";
import { replaySchedule } from "../explore/replaySchedule.ts";
import { readScheduleFile } from "../explore/scheduleFile.ts";
import { loadRunner } from "../resolve.ts";
import { isEffectRunnerName } from "../../subjects/effect-runner/variants/descriptions.ts";
import type { Scenario } from "../scenario/schema.ts";
import { STRATEGY_DEFAULTS } from "../scheduler/strategies/Strategy.ts";
import { missingRows, rowKey, type ExpectationRow, type GateTable } from "./expectations.ts";
import { selectShard, type Shard } from "./shard.ts";

/** One thing the gate checks. */
export type GateCheck =
  | { readonly kind: "row"; readonly key: string; readonly row: ExpectationRow }
  /** A saved failure: its schedule must replay as recorded (or pass, when the file says `"expect": "pass"`). */
  | { readonly kind: "regression"; readonly key: string; readonly file: string }
  /** A saved failure's scenario, explored with the fixed runner: it must pass. */
  | { readonly kind: "regression-fixed"; readonly key: string; readonly file: string }
  /** The table covers every scenario x runner (x observer). */
  | { readonly kind: "coverage"; readonly key: string; readonly missing: readonly string[] };

/** What one check found. */
export interface GateResult {
  readonly check: GateCheck;
  /** The expectation held. */
  readonly ok: boolean;
  /** `pass`, or the invariants that must fail. */
  readonly expected: string;
  /** Invariants that failed (sorted). */
  readonly found: readonly string[];
  readonly schedules: number;
  readonly timeMs: number;
  /** Why it holds or not, one line. */
  readonly message: string;
  /** Each distinct failure, shrunk and written out. */
  readonly counterexamples: readonly RecordedFailure[];
}

/** Resolved options of one gate run. */
export interface GateOptions {
  readonly table: GateTable;
  /** Folder of saved failures to replay (`scenarios/regressions`). */
  readonly regressions: string;
  readonly shard?: Shard;
  /** Only checks whose key contains this text (coverage is then not checked). */
  readonly filter?: string;
  /** Where failure files go. */
  readonly out: string;
  /** Called as each check starts and ends (progress lines). */
  readonly onResult?: (result: GateResult, done: number, total: number) => void;
  /** The watchdog budgets for rows whose runner is a user's module. */
  readonly limits?: Limits;
  /** Ctrl-C: stop; the check running then is left out (its result would cover part of its budget). */
  readonly interrupt?: Interrupt;
}

/**
 * Shrinker budget per counterexample, in runs: enough for the built-in scenarios, bounded for
 * CI. A check that does not hold gets the full budget (its counterexample is what a developer
 * reads next); a bug caught as expected gets a quick shrink of local edits, scaled down for
 * runners whose runs have more steps (`stepScale`), so the gate's time stays bounded.
 */
const SHRINK = { budget: 600, searchBudget: 400 } as const;
const QUICK_SHRINK = { budget: 200, searchBudget: 0 } as const;

function quickShrink(stepScale: number): { budget: number; searchBudget: number } {
  const scale = Math.max(1, stepScale);
  return { budget: Math.max(20, Math.round(QUICK_SHRINK.budget / Math.sqrt(scale))), searchBudget: 0 };
}

/**
 * Every check of the gate, in a fixed order: the table's rows as written, the coverage check,
 * then for each saved regression (by file name) its replay and its fixed-runner exploration.
 */
export function gateChecks(table: GateTable, regressions: string, filter?: string): GateCheck[] {
  const checks: GateCheck[] = table.rows.map((row) => ({ kind: "row", key: rowKey(row), row }));
  if (filter === undefined) checks.push({ kind: "coverage", key: "coverage of scenarios x runners x observers", missing: missingRows(table) });
  for (const name of regressionFiles(regressions)) {
    const file = join(regressions, name);
    checks.push({ kind: "regression", key: `regression ${name}`, file });
    checks.push({ kind: "regression-fixed", key: `regression ${name} · fixed`, file });
  }
  return filter === undefined ? checks : checks.filter((c) => c.key.includes(filter));
}

function regressionFiles(dir: string): string[] {
  try {
    // Schedule files only: a Chrome trace written beside one is not a regression.
    return readdirSync(dir).filter((n) => n.endsWith(".json") && !n.endsWith(".trace.json")).sort();
  } catch {
    return [];
  }
}

/** Runs the checks of this shard, one after another (results do not depend on sharding). */
export async function runGate(options: GateOptions): Promise<GateResult[]> {
  const checks = selectShard(gateChecks(options.table, options.regressions, options.filter), options.shard);
  const results: GateResult[] = [];
  for (const check of checks) {
    if (options.interrupt?.requested) break;
    const started = performance.now();
    let result: Omit<GateResult, "timeMs">;
    try {
      result = await runCheck(check, options);
    } catch (error) {
      // A broken regression file or a runner that cannot load fails its check, not the gate run.
      if (!(error instanceof RacelabError)) throw error;
      result = { check, ok: false, expected: "-", found: [], schedules: 0, message: error.message, counterexamples: [] };
    }
    if (options.interrupt?.requested) break;
    const full = { ...result, timeMs: Math.round(performance.now() - started) };
    results.push(full);
    options.onResult?.(full, results.length, checks.length);
  }
  return results;
}

async function runCheck(check: GateCheck, options: GateOptions): Promise<Omit<GateResult, "timeMs">> {
  switch (check.kind) {
    case "coverage": {
      const ok = check.missing.length === 0;
      const message = ok ? "every scenario x runner (x observer) has a row" : `no row for: ${check.missing.join("; ")} (add them to the table)`;
      return { check, ok, expected: "complete", found: [], schedules: 0, message, counterexamples: [] };
    }
    case "row": {
      const { row } = check;
      const scenario = options.table.scenarios[row.scenario]!;
      const expected = row.expect === "pass" ? [] : [...row.expect].sort();
      return exploreCheck(check, options, scenario, row.runner, row.observer, expected);
    }
    case "regression": {
      const file = readScheduleFile(check.file);
      const { result, verdict } = await replaySchedule(file);
      const found = distinct(result.violations.map((v) => v.invariant));
      const recorded = distinct(file.violations.map((v) => v.invariant));
      const wantsPass = file.expect === "pass";
      const ok = wantsPass ? verdict === "passes" : verdict === "reproduced";
      const message = wantsPass
        ? ok ? "passes, as the file expects" : `the file expects a pass, but ${found.join(", ")} fails`
        : ok ? `reproduces ${recorded.join(", ")}` : verdict === "passes"
          ? `${recorded.join(", ")} no longer fails on ${file.runner}: if it was fixed, set "expect": "pass" in the file`
          : `fails differently: recorded ${recorded.join(", ")}, now ${found.join(", ")}`;
      return { check, ok, expected: wantsPass ? "pass" : recorded.join(", "), found, schedules: 1, message, counterexamples: [] };
    }
    case "regression-fixed": {
      const file = readScheduleFile(check.file);
      // A failure of an Effect runner is explored on the correct Effect runner; any other on the plain one.
      const fixed = isEffectRunnerName(file.runner) ? "effect-fixed" : "fixed";
      return exploreCheck(check, options, file.scenario, fixed, file.scenario.run ? "fixed" : undefined, []);
    }
  }
}

async function exploreCheck(
  check: GateCheck,
  options: GateOptions,
  scenario: Scenario,
  runnerName: string,
  observer: string | undefined,
  expected: readonly string[],
): Promise<Omit<GateResult, "timeMs">> {
  const { table } = options;
  const limits = options.limits ?? resolveLimits();
  // racelab's own runners are loaded here (an Effect one needs the project's effect: a clear
  // error); a user's module loads in its sandbox.
  const stepScale = sandboxed(runnerName, limits) ? 1 : ((await loadRunner(runnerName)).stepScale ?? 1);
  const outcome = await exploreWatched(
    {
      kind: "explore",
      scenario,
      runner: runnerName,
      world: worldSpec(observer, "inproc", undefined, Boolean(scenario.run)),
      strategy: { name: table.strategy, options: { ...STRATEGY_DEFAULTS, seed: table.seed } },
      runs: table.runs,
      maxSteps: table.maxSteps,
      keepGoing: expected.length > 0,
      expected,
      record: { out: options.out, seed: table.seed, shrink: SHRINK, heldShrink: quickShrink(stepScale) },
    },
    limits,
    undefined,
    options.interrupt,
  );
  const { result } = outcome;
  const counterexamples = [...outcome.recorded];
  const found = outcome.judged?.found ?? distinct(counterexamples.flatMap((c) => c.run.violations.map((v) => v.invariant)));
  const missing = outcome.judged?.missing ?? expected.filter((name) => !found.includes(name));
  const unexpected = outcome.judged?.unexpected ?? found.filter((name) => !expected.includes(name));
  // A row may expect the watchdog's own findings (runner-timeout, runner-oom): a stopped
  // exploration holds when what it found is what the row expects.
  const ok = missing.length === 0 && unexpected.length === 0;
  const n = result.schedulesRun;
  let message: string;
  if (outcome.stopped && !ok) message = `${found.join(", ") || "a fault"}: ${outcome.stopped.note}`;
  else if (expected.length === 0) message = ok ? `no violation in ${count(n, "schedule")}` : `${found.join(", ")} failed (schedule #${result.failures[0]!.run}); expected a pass`;
  else if (ok) message = `caught ${found.join(", ")} within ${count(n, "schedule")}`;
  else if (missing.length > 0) message = `${missing.join(", ")} not caught in ${count(n, "schedule")}${unexpected.length ? `; ${unexpected.join(", ")} failed instead` : ""}`;
  else message = `${unexpected.join(", ")} failed too, which the row does not expect`;
  return { check, ok, expected: expected.length ? expected.join(", ") : "pass", found, schedules: n, message, counterexamples };
}

function distinct(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}
