import { count } from "../../harness/output/plural.ts";
import { EXIT_INTERRUPTED, interruptible } from "../interrupt.ts";
import { describeShortest, describeShrink, shortestWithinJson } from "../../harness/explore/shrinkSize.ts";
import { renderTimeline } from "../../harness/report/timeline.ts";
import { loadRunner, loadScenario, resolveStrategy, loadWorld } from "../../harness/resolve.ts";
import { resolveLimits } from "../../harness/sandbox/limits.ts";
import { sandboxed } from "../../harness/sandbox/Sandbox.ts";
import { InputError } from "../../harness/errors.ts";
import { exploreWatched, worldSpec } from "../../harness/sandbox/watched.ts";
import { runnerSpecOf } from "../../boundaries/loaders/loadRunnerModule.ts";
import type { Io } from "../main.ts";

/** A long exploration prints where it stands on stderr this often. */
const PROGRESS_EVERY_MS = 5000;

/** Resolved options of `racelab explore`. */
export interface ExploreCommandOptions {
  readonly runner: string;
  readonly observer: string;
  readonly transport: "inproc" | "http";
  readonly granularity: "step" | "suspend";
  readonly strategy: string;
  readonly runs?: number;
  readonly seed: number;
  readonly depth: number;
  readonly preemptions: number;
  readonly reduction: boolean;
  readonly maxSteps: number;
  readonly keepGoing: boolean;
  /** dfs: split the tree over this many worker threads. */
  readonly workers?: number;
  /** Shrink each failure before writing it (default on). */
  readonly shrink: boolean;
  readonly out: string;
  readonly json: boolean;
  /** Watchdog budgets of a sandboxed runner (default: RACELAB_STEP_TIMEOUT_MS, RACELAB_MEMORY_LIMIT_MB). */
  readonly stepTimeout?: number;
  readonly memoryLimit?: number;
}

/** `racelab explore <scenario>`: 0 = no violation in the budget, 1 = violation found. */
export async function exploreCommand(io: Io, scenarioName: string, o: ExploreCommandOptions): Promise<number> {
  const pc = io.colors;
  const limits = resolveLimits({ ...(o.stepTimeout !== undefined && { stepTimeout: o.stepTimeout }), ...(o.memoryLimit !== undefined && { memoryLimit: o.memoryLimit }) });
  const scenario = await loadScenario(scenarioName, { limits });
  // Names are checked here, before any runner runs; a user's module loads in its sandbox.
  const runnerName = sandboxed(o.runner, limits) ? runnerSpecOf(o.runner) : (await loadRunner(o.runner)).name;
  const strategyOptions = { seed: o.seed, depth: o.depth, preemptions: o.preemptions, reduction: o.reduction };
  const strategy = resolveStrategy(o.strategy, strategyOptions);
  if (o.workers !== undefined && strategy.name !== "dfs") throw new InputError(`--workers splits an exhaustive search: use it with --strategy dfs (got --strategy ${o.strategy})`);
  if (o.workers !== undefined && sandboxed(o.runner, limits)) throw new InputError(`--workers splits the search of racelab's own runners only; run a runner module ('${o.runner}') without --workers`);
  const world = await loadWorld(scenario, o.observer, o.transport, o.granularity);
  const runs = o.runs ?? (strategy.name === "dfs" ? 1_000_000 : 1000);
  const started = performance.now();
  const header = `${scenario.name} · runner ${runnerName}${world.observer ? ` · observer ${world.observer.name}` : ""}${o.transport === "http" ? " · http" : ""}${o.granularity === "suspend" ? " · suspension points" : ""} · ${strategy.name} · seed ${o.seed}`;
  // Violations are printed even when writing their files fails (a bad --out): findings first.
  let lastProgress = started;
  const found: { run: number; violations: readonly { invariant: string; message: string }[] }[] = [];
  const outcome = await interruptible(io, (interrupt) => exploreWatched(
    {
      kind: "explore",
      scenario,
      runner: o.runner,
      world: worldSpec(world.observer?.name ?? o.observer, o.transport, o.granularity, Boolean(scenario.run)),
      strategy: { name: o.strategy, options: strategyOptions },
      runs,
      maxSteps: o.maxSteps,
      keepGoing: o.keepGoing,
      ...(o.workers !== undefined && { workers: o.workers }),
      record: { out: o.out, seed: o.seed, shrink: o.shrink },
    },
    limits,
    (c) => {
      if (c.phase === "found") found.push({ run: c.failure.run, violations: c.failure.violations });
      else if (c.phase === "progress" && !o.json && performance.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = performance.now();
        io.err(pc.dim(`explore: ${count(c.schedules, "schedule")} of at most ${runs}, ${count(c.failures, "failure")} so far, ${Math.round((lastProgress - started) / 1000)} s (Ctrl-C stops and prints what ran)`));
      }
    },
    interrupt,
  )).catch((error: unknown) => {
    if (!o.json) {
      for (const f of found) {
        io.out(pc.red(`✗ ${header}: ${pc.bold([...new Set(f.violations.map((v) => v.invariant))].join(", "))} violated in schedule #${f.run}`));
        for (const v of f.violations) io.out(`  ${pc.bold(v.invariant)}: ${v.message}`);
      }
    }
    throw error;
  });
  const elapsedMs = performance.now() - started;
  const result = outcome.result;
  const failures = outcome.recorded.map((recorded) => {
    const found = result.failures.find((f) => f.run === recorded.schedule.run)?.result ?? recorded.run;
    const original = { steps: found.end.steps, preemptions: found.preemptions };
    // A run that never came back is shrunk another way (client actions only): its sizes are in the file.
    const shrink = recorded.shrunk ?? (recorded.schedule.shrink && { ...recorded.schedule.shrink, shortestWithin: -1 });
    return { schedule: recorded.schedule.run, run: recorded.run, violations: recorded.schedule.violations, file: recorded.file, html: recorded.html, trace: recorded.trace, original, shrink };
  });
  const runner = { name: runnerName };
  const summary = outcome.strategySummary;
  const perSecond = elapsedMs > 0 ? Math.round((result.schedulesRun / elapsedMs) * 1000) : 0;
  if (o.json) {
    io.out(
      JSON.stringify({
        scenario: scenario.name,
        runner: runner.name,
        ...(world.observer && { observer: world.observer.name }),
        transport: o.transport,
        ...(o.granularity !== "step" && { granularity: o.granularity }),
        strategy: strategy.name,
        seed: o.seed,
        runs,
        schedulesRun: result.schedulesRun,
        exhausted: result.exhausted,
        stats: result.stats,
        ...(summary && { strategySummary: summary }),
        violations: failures.flatMap((f) =>
          f.violations.map((v) => ({
            invariant: v.invariant,
            message: v.message,
            ...(v.cause && { cause: v.cause.text }),
            step: v.step,
            schedule: f.schedule,
            failureFile: f.file,
            steps: f.run.choices.length,
            originalSteps: f.original.steps,
            shrunkSteps: f.run.choices.length,
            originalPreemptions: f.original.preemptions,
            shrunkPreemptions: f.run.preemptions,
            ...(f.shrink && {
              shrink: {
                original: f.shrink.original,
                shrunk: f.shrink.shrunk,
                attempts: f.shrink.attempts,
                shortestWithin: shortestWithinJson(f.shrink.shortestWithin),
              },
            }),
            replay: `npx racelab replay ${f.file}`,
            html: f.html,
            chromeTrace: f.trace,
          })),
        ),
        elapsedMs: Math.round(elapsedMs),
        schedulesPerSecond: perSecond,
        traceHash: result.traceHash,
        ...(outcome.stopped && { stopped: outcome.stopped.note }),
        ...(result.interrupted && { interrupted: true }),
      }),
    );
    return failures.length > 0 ? 1 : result.interrupted ? EXIT_INTERRUPTED : 0;
  }
  const st = result.stats;
  const statsLines = [
    `  schedules ${st.schedules} (distinct ${st.distinctSchedules}${st.abandoned ? `, ${st.abandoned} abandoned as redundant` : ""}), end states ${st.distinctEndStates}, steps min/avg/max ${st.steps.min}/${st.steps.avg}/${st.steps.max}, preemptions avg/max ${st.preemptions.avg}/${st.preemptions.max}`,
    `  ${Math.round(elapsedMs)} ms, ${perSecond} schedules/s, traceHash ${result.traceHash}`,
    ...(summary ? [`  ${summary.text}`] : []),
    ...(outcome.stopped ? [pc.red(`  ${outcome.stopped.note}`)] : []),
    ...(result.interrupted ? [pc.yellow(`  interrupted (Ctrl-C) after ${count(result.schedulesRun, "schedule")} of at most ${runs}${failures.length ? "; failures written as found, unshrunk" : ""}`)] : []),
  ];
  if (failures.length === 0 && result.interrupted) {
    // Not a verdict: the budget was not spent.
    io.out(pc.yellow(`⚠ ${header}: interrupted; no violation in the ${count(result.schedulesRun, "schedule")} that ran (of at most ${runs})`));
    for (const line of statsLines) io.out(pc.dim(line));
    return EXIT_INTERRUPTED;
  }
  if (failures.length === 0) {
    io.out(pc.green(`✓ ${header}: no violation in ${count(result.schedulesRun, "schedule")}`));
    for (const line of statsLines) io.out(pc.dim(line));
    return 0;
  }
  for (const f of failures) {
    const names = [...new Set(f.violations.map((v) => v.invariant))].join(", ");
    io.out(pc.red(`✗ ${header}: ${pc.bold(names)} violated in schedule #${f.schedule} (after ${count(f.schedule + 1, "schedule")})`));
    for (const v of f.violations) {
      io.out(`  ${pc.bold(v.invariant)}: ${v.message}`);
      if (v.cause) io.out(pc.yellow(`    cause: ${v.cause.text}`));
    }
    io.out("");
    if (f.shrink) {
      io.out(`Shrunk in ${count(f.shrink.attempts, "run")}: ${describeShrink(f.shrink.original, f.shrink.shrunk)}`);
      const shortest = describeShortest(f.shrink.shortestWithin);
      if (shortest) io.out(`It is ${shortest}.`);
    }
    io.out(`Timeline (${count(f.run.choices.length, "step")}${f.shrink ? ", shrunk" : ""}):`);
    io.out(renderTimeline({ choices: f.run.choices, trace: f.run.trace, violations: f.violations }, pc));
    io.out("");
    io.out(`Failure file: ${f.file}`);
    io.out(`Report:       ${f.html} (swimlanes) · ${f.trace} (Chrome trace, opens in Perfetto)`);
    io.out(`Reproduce:    ${pc.bold(`npx racelab replay ${f.file}`)}`);
    io.out("");
  }
  for (const line of statsLines) io.out(pc.dim(line));
  return 1;
}
