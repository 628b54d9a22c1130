import { relative } from "node:path";
import { explore } from "../../explore/explore.ts";
import { SCHEDULE_VERSION, writeScheduleFile } from "../../explore/scheduleFile.ts";
import { renderTimeline } from "../../report/timeline.ts";
import { resolveInvariants, resolveRunner, resolveScenario, resolveStrategy } from "../../resolve.ts";
import type { Io } from "../main.ts";

/** Resolved options of `racelab explore`. */
export interface ExploreCommandOptions {
  readonly runner: string;
  readonly strategy: string;
  readonly runs: number;
  readonly seed: number;
  readonly depth: number;
  readonly preemptions: number;
  readonly maxSteps: number;
  readonly keepGoing: boolean;
  readonly out: string;
  readonly json: boolean;
}

/** `racelab explore <scenario>`: 0 = no violation in the budget, 1 = violation found. */
export async function exploreCommand(io: Io, scenarioName: string, o: ExploreCommandOptions): Promise<number> {
  const pc = io.colors;
  const scenario = resolveScenario(scenarioName);
  const runner = resolveRunner(o.runner);
  const strategy = resolveStrategy(o.strategy, { seed: o.seed, depth: o.depth, preemptions: o.preemptions });
  const invariants = resolveInvariants(scenario);
  const started = performance.now();
  const result = await explore({
    scenario,
    runner,
    strategy,
    invariants,
    runs: o.runs,
    maxSteps: o.maxSteps,
    keepGoing: o.keepGoing,
    concurrency: 16,
  });
  const elapsedMs = performance.now() - started;
  const failures = result.failures.map((f) => {
    const file = writeScheduleFile(o.out, {
      version: SCHEDULE_VERSION,
      kind: "racelab-schedule",
      scenario,
      runner: runner.name,
      strategy: strategy.name,
      seed: o.seed,
      run: f.run,
      maxSteps: o.maxSteps,
      choices: f.result.choices,
      violations: f.violations.map(({ invariant, message, step }) => ({ invariant, message, step })),
    });
    return { ...f, file: relative(process.cwd(), file) || file };
  });
  const summary = strategy.summary?.();
  const perSecond = elapsedMs > 0 ? Math.round((result.schedulesRun / elapsedMs) * 1000) : 0;
  if (o.json) {
    io.out(
      JSON.stringify({
        scenario: scenario.name,
        runner: runner.name,
        strategy: strategy.name,
        seed: o.seed,
        runs: o.runs,
        schedulesRun: result.schedulesRun,
        exhausted: result.exhausted,
        stats: result.stats,
        ...(summary && { strategySummary: summary }),
        violations: failures.flatMap((f) =>
          f.violations.map((v) => ({
            invariant: v.invariant,
            message: v.message,
            step: v.step,
            schedule: f.run,
            failureFile: f.file,
            steps: f.result.choices.length,
            replay: `npx racelab replay ${f.file}`,
          })),
        ),
        elapsedMs: Math.round(elapsedMs),
        schedulesPerSecond: perSecond,
        traceHash: result.traceHash,
      }),
    );
    return failures.length > 0 ? 1 : 0;
  }
  const header = `${scenario.name} · runner ${runner.name} · ${strategy.name} · seed ${o.seed}`;
  const st = result.stats;
  const statsLines = [
    `  schedules ${st.schedules} (distinct ${st.distinctSchedules}), end states ${st.distinctEndStates}, steps min/avg/max ${st.steps.min}/${st.steps.avg}/${st.steps.max}, preemptions avg/max ${st.preemptions.avg}/${st.preemptions.max}`,
    `  ${Math.round(elapsedMs)} ms, ${perSecond} schedules/s, traceHash ${result.traceHash}`,
    ...(summary ? [`  ${summary.text}`] : []),
  ];
  if (failures.length === 0) {
    io.out(pc.green(`✓ ${header}: no violation in ${result.schedulesRun} schedules`));
    for (const line of statsLines) io.out(pc.dim(line));
    return 0;
  }
  for (const f of failures) {
    const names = [...new Set(f.violations.map((v) => v.invariant))].join(", ");
    io.out(pc.red(`✗ ${header}: ${pc.bold(names)} violated in schedule #${f.run} (after ${f.run + 1} schedules)`));
    for (const v of f.violations) io.out(`  ${pc.bold(v.invariant)}: ${v.message}`);
    io.out("");
    io.out(`Timeline (${f.result.choices.length} steps):`);
    io.out(renderTimeline({ choices: f.result.choices, trace: f.result.trace, violations: f.violations }, pc));
    io.out("");
    io.out(`Failure file: ${f.file}`);
    io.out(`Reproduce:    ${pc.bold(`npx racelab replay ${f.file}`)}`);
    io.out("");
  }
  for (const line of statsLines) io.out(pc.dim(line));
  return 1;
}
