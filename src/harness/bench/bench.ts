import { ScenariosMap } from "../scenario/builtin/index.ts";
import { explore } from "../explore/explore.ts";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveInvariants } from "../resolve.ts";
import { RunnersMap } from "../../subjects/runner/variants/index.ts";
import { dfs } from "../scheduler/strategies/dfs.ts";
import { exploreDfsSplit } from "../explore/dfsSplit.ts";
import { StrategiesMap } from "../scheduler/strategies/index.ts";
import type { StrategyFactory } from "../scheduler/strategies/Strategy.ts";
import { cliSpeed } from "./cliSpeed.ts";
import { effectSpeed } from "./effectSpeed.ts";
import { checkEffectVersion } from "../../boundaries/effect/supportedVersion.ts";
import { transportSpeed } from "./transportSpeed.ts";
import { firstViolation, median, seededBugs, shrunkSize, timed } from "./measure.ts";
import { stepCost, stepCostTargets } from "./stepCost.ts";
import { memoryGrowth } from "./memoryGrowth.ts";
import { optimality, type Optimality } from "./optimality.ts";

/** Budgets of one benchmark run (the CLI's `--quick` shrinks them for smoke tests). */
export interface BenchOptions {
  /** Schedules per round and scenario for racelab and for the bare replay of its schedules. */
  readonly throughputRuns: number;
  readonly fastCheckRuns: number;
  /** Alternating rounds of racelab, bare replay and fast-check per scenario (the best round counts). */
  readonly stepRounds: number;
  readonly seeds: number;
  readonly bugBudget: number;
  readonly dfsBudget: number;
  /** Schedules of the memory run, and after how many the early sample is taken. */
  readonly memoryRuns: number;
  readonly memoryEarly: number;
  /** Schedules per transport and scenario, for in-process against HTTP. */
  readonly transportRuns: number;
  /** Seconds of `fuzz` (fixed runner) per worker count, for the worker scaling. */
  readonly fuzzSeconds: number;
  /** Schedules per CLI run, and alternating rounds, of the compiled CLI against the tsx path. */
  readonly cliRuns: number;
  readonly cliRounds: number;
  /** Schedules per scenario for the Effect runner beside the plain model. */
  readonly effectRuns: number;
}

export const BENCH_DEFAULTS: BenchOptions = {
  throughputRuns: 3000,
  fastCheckRuns: 500,
  stepRounds: 3,
  seeds: 20,
  bugBudget: 20_000,
  dfsBudget: 200_000,
  memoryRuns: 100_000,
  memoryEarly: 10_000,
  transportRuns: 2000,
  fuzzSeconds: 30,
  cliRuns: 5000,
  cliRounds: 3,
  effectRuns: 1000,
};

const BUG_STRATEGIES: Record<string, StrategyFactory> = {
  portfolio: StrategiesMap.portfolio,
  random: StrategiesMap.random,
  "pct(d=3)": (o) => StrategiesMap.pct({ ...o, depth: 3 }),
};

/** Everything `racelab bench` measures, in one process. */
export async function runBench(o: BenchOptions, progress: (line: string) => void = () => {}) {
  const perStep = [];
  for (const scenario of Object.values(ScenariosMap)) {
    progress(`step cost ${scenario.name}`);
    perStep.push(await stepCost(scenario, RunnersMap.fixed, { runs: o.throughputRuns, fastCheckRuns: o.fastCheckRuns, rounds: o.stepRounds }));
  }

  const bugs = [];
  for (const { scenario, runner, observer } of seededBugs()) {
    const world = observer ? { observer } : {};
    const who = observer ? `${runner.name}+${observer.name}` : runner.name;
    progress(`first violation ${scenario.name} x ${who}`);
    const row: Record<string, unknown> = { scenario: scenario.name, runner: who };
    for (const [name, strategy] of Object.entries(BUG_STRATEGIES)) {
      const schedules: number[] = [];
      const ms: number[] = [];
      let missed = 0;
      for (let seed = 1; seed <= o.seeds; seed++) {
        const found = await firstViolation(scenario, runner, strategy, seed, o.bugBudget, world);
        if (!found) missed += 1;
        schedules.push(found?.schedules ?? Number.POSITIVE_INFINITY);
        ms.push(found?.ms ?? Number.POSITIVE_INFINITY);
      }
      row[name] = { medianSchedules: median(schedules), medianMs: round(median(ms)), missed };
    }
    const first = await firstViolation(scenario, runner, StrategiesMap.portfolio, 1, o.bugBudget, world);
    if (first) {
      const size = await shrunkSize(scenario, runner, first.failure.result.choices, first.failure.violations[0]!.invariant, world);
      row["steps"] = { original: first.failure.result.end.steps, shrunk: size.steps, preemptionsOriginal: first.failure.result.preemptions, preemptionsShrunk: size.preemptions };
    }
    bugs.push(row);
  }

  const dfsRows: DfsRow[] = [];
  for (const name of ["idle-prompt-async", "double-prompt-async"] as const) {
    const scenario = ScenariosMap[name];
    for (const reduction of [true, false]) {
      progress(`dfs ${name} reduction=${reduction}`);
      const strategy = dfs({ seed: 1, preemptions: 2, reduction });
      const { value, ms } = await timed(() =>
        explore({ scenario, runner: RunnersMap.fixed, strategy, invariants: resolveInvariants(scenario), runs: o.dfsBudget, maxSteps: 1000, keepGoing: true, concurrency: 1 }),
      );
      dfsRows.push({ scenario: name, reduction, schedules: value.schedulesRun, abandoned: value.stats.abandoned, complete: Boolean(strategy.summary?.()["complete"]), ms: Math.round(ms) });
    }
  }
  // The same search split over both cores (explore --workers 2), measured right after the unsplit one.
  {
    const scenario = ScenariosMap["double-prompt-async"];
    progress("dfs double-prompt-async split over 2 workers");
    const options = { scenario, runner: RunnersMap.fixed, strategy: dfs({ seed: 1, preemptions: 2 }), invariants: resolveInvariants(scenario), runs: o.dfsBudget, maxSteps: 1000, keepGoing: true, concurrency: 1, seed: 1 };
    const { value, ms } = await timed(() => exploreDfsSplit(options, { runner: "fixed", world: {}, strategy: { seed: 1, preemptions: 2 }, workers: 2 }));
    dfsRows.push({ scenario: "double-prompt-async", reduction: true, workers: 2, schedules: value.result.schedulesRun, abandoned: value.result.stats.abandoned, complete: value.result.exhausted, ms: Math.round(ms) });
  }

  // Distance from optimal DPOR: the same searches again (untimed), counting the classes among their schedules.
  const optimal: Optimality[] = [];
  for (const name of OPTIMALITY_SCENARIOS) {
    progress(`dfs ${name}: classes against schedules`);
    optimal.push(await optimality(ScenariosMap[name], RunnersMap.fixed, 2, o.dfsBudget));
  }

  progress(`memory: ${o.memoryRuns} schedules, sampled after ${o.memoryEarly}`);
  const memory = await memoryGrowth(o.memoryEarly, o.memoryRuns);

  // Worker scaling of fuzz, through the CLI as a user runs it (its own process, startup and
  // all): the same seed on 1 and 2 workers for the same wall time.
  const fuzz = [];
  for (const workers of [1, 2]) {
    progress(`fuzz fixed, ${workers} worker(s), ${o.fuzzSeconds} s`);
    const r = fuzzCli(["--runner", "fixed", "--seed", "1", "--workers", String(workers), "--time", String(o.fuzzSeconds)]);
    fuzz.push({ workers, scenarios: r.scenarios, schedules: r.schedules, schedulesPerSecond: r.schedulesPerSecond });
  }
  const scaling = round(fuzz[1]!.schedules / Math.max(1, fuzz[0]!.schedules));
  // Breadth where the bugs are: the upstream runner fails in most scenarios, and its failures
  // are shrunk within a step budget; the same seed, workers and time as fixed's 2-worker run.
  progress(`fuzz upstream, 2 workers, ${o.fuzzSeconds} s`);
  const buggy = fuzzCli(["--runner", "upstream", "--seed", "1", "--workers", "2", "--time", String(o.fuzzSeconds)], [1]);
  const breadth = round(buggy.schedulesPerSecond / Math.max(1, fuzz[1]!.schedulesPerSecond));

  // The run command talks to the server over the SDK on both transports; clients and the LLM only over http.
  const transports = [];
  for (const scenario of Object.values(ScenariosMap).filter((s) => s.run || s.name === "status-gap")) {
    progress(`transports ${scenario.name}`);
    transports.push(await transportSpeed(scenario, o.transportRuns));
  }

  progress(`compiled CLI against tsx, ${o.cliRounds} rounds of ${o.cliRuns} schedules`);
  const cli = cliSpeed("double-prompt-async", o.cliRuns, o.cliRounds);

  // The Effect runners need the project's `effect` (an optional peer): without it, say so.
  const effect = [];
  const effectMissing = effectUnavailable();
  for (const scenario of effectMissing ? [] : Object.values(ScenariosMap)) {
    progress(`effect ${scenario.name}`);
    effect.push(await effectSpeed(scenario, o.effectRuns));
  }
  const worstStep = effect.length ? Math.max(...effect.map((e) => e.stepRatio)) : Number.NaN;

  return {
    stepCost: perStep,
    bugs,
    dfs: dfsRows,
    optimality: optimal,
    memory,
    fuzz: { runs: fuzz, scaling, upstream: { scenarios: buggy.scenarios, schedules: buggy.schedules, schedulesPerSecond: buggy.schedulesPerSecond }, breadth },
    transports,
    cli,
    effect,
    ...(effectMissing && { effectMissing }),
    targets: [
      ...stepCostTargets(perStep),
      { target: `memory flat: RSS after ${o.memoryRuns} schedules <= 1.1x RSS after ${o.memoryEarly}`, value: memory.rssGrowth, met: memory.rssGrowth <= 1.1 },
      ...targets(bugs, dfsRows),
      optimalityTarget(optimal),
      { target: "fuzz --workers 2 explores >= 1.7x the schedules of --workers 1", value: scaling, met: scaling >= 1.7 },
      { target: "fuzz on upstream (failing, shrinking) keeps >= 1/5 of fixed's schedules/s", value: breadth, met: breadth >= 0.2 },
      { target: "a controlled Effect step costs <= 2x a plain-model step (worst scenario)", value: effectMissing ? "not measured (no effect)" : worstStep, met: worstStep <= 2 },
    ],
  };
}

/** Where the reduced search's distance from optimal is measured (fixed runner, at most 2 preemptions). */
const OPTIMALITY_SCENARIOS = ["idle-prompt-async", "cancel-race", "double-prompt-async"] as const;

/** Within 10% of optimal: schedules run at most 1.1x the classes among them, on every scenario measured. */
function optimalityTarget(rows: readonly Optimality[]) {
  const worst = [...rows].sort((a, b) => b.ratio - a.ratio)[0];
  const value = worst ? `${worst.ratio} (${worst.scenario}: ${worst.schedules} schedules, ${worst.classes} classes)` : "not measured";
  return { target: "dfs --preemptions 2 within 10% of optimal: schedules <= 1.1x the classes among them (worst scenario)", value, met: worst !== undefined && rows.every((r) => r.complete && r.ratio <= 1.1) };
}

/** One dfs measurement: unsplit on this thread, or split over `workers` threads. */
interface DfsRow {
  readonly scenario: string;
  readonly reduction: boolean;
  readonly workers?: number;
  readonly schedules: number;
  readonly abandoned: number;
  readonly complete: boolean;
  readonly ms: number;
}

function targets(bugs: Record<string, unknown>[], dfsRows: readonly DfsRow[]) {
  const slowestBug = Math.max(...bugs.map((b) => (b["portfolio"] as { medianMs: number }).medianMs));
  const dfsOf = (s: string, r: boolean) => dfsRows.find((d) => d.scenario === s && d.reduction === r && d.workers === undefined)!;
  const double = dfsOf("double-prompt-async", true);
  // The time target takes the faster complete search: unsplit, or split over 2 workers.
  const split = dfsRows.find((d) => d.workers !== undefined);
  const fastest = [double, split].filter((d): d is DfsRow => d !== undefined && d.complete).sort((a, b) => a.ms - b.ms)[0] ?? double;
  const plainIdle = dfsOf("idle-prompt-async", false);
  const idle = round(plainIdle.schedules / dfsOf("idle-prompt-async", true).schedules);
  return [
    { target: "every seeded bug found < 1 s median by the default strategy (slowest, ms)", value: slowestBug, met: slowestBug < 1000 },
    { target: "dfs --preemptions 2 on fixed double-prompt-async complete in <= 60,000 schedules", value: double.schedules, met: double.complete && double.schedules <= 60_000 },
    { target: "dfs --preemptions 2 on fixed double-prompt-async complete in < 8 s (ms; the faster of unsplit and --workers 2)", value: fastest.ms, met: fastest.complete && fastest.ms < 8_000 },
    { target: "reduction >= 25x over plain dfs on idle-prompt-async", value: plainIdle.complete ? idle : `>= ${idle}`, met: idle >= 25 },
  ];
}

/** Why the Effect runners cannot be measured here, or undefined when they can. */
function effectUnavailable(): string | undefined {
  try {
    checkEffectVersion();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const BIN = fileURLToPath(new URL("../../../bin/racelab.mjs", import.meta.url));

/** Runs `racelab fuzz ... --json` in its own process and returns its summary; exit codes other than 0 and `alsoOk` throw. */
function fuzzCli(args: readonly string[], alsoOk: readonly number[] = []): { scenarios: number; schedules: number; schedulesPerSecond: number } {
  const out = mkdtempSync(join(tmpdir(), "racelab-bench-fuzz-"));
  const r = spawnSync(process.execPath, [BIN, "fuzz", ...args, "--json", "--out", out], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  // Exit 2 with "nothing was tested": no scenario finished in the time given (a slow machine). A count of 0, not a crash.
  if (r.status === 2 && /nothing was tested/.test(r.stderr)) return { scenarios: 0, schedules: 0, schedulesPerSecond: 0 };
  if (r.status !== 0 && !alsoOk.includes(r.status ?? -1)) throw new Error(`racelab fuzz ${args.join(" ")} exited ${r.status}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as { scenarios: number; schedules: number; schedulesPerSecond: number };
}
