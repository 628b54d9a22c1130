import { BENCH_DEFAULTS, runBench } from "../../harness/bench/bench.ts";
import type { Io } from "../main.ts";

/** `racelab bench`: measures speed, time to first bug, reduction and memory; prints a table or JSON. */
export async function benchCommand(io: Io, options: { json: boolean; quick: boolean }): Promise<number> {
  const budgets = options.quick
    ? { throughputRuns: 200, fastCheckRuns: 50, stepRounds: 1, seeds: 3, bugBudget: 5000, dfsBudget: 2000, memoryRuns: 2000, memoryEarly: 200, transportRuns: 200, fuzzSeconds: 3, cliRuns: 300, cliRounds: 1, effectRuns: 50 }
    : BENCH_DEFAULTS;
  const result = await runBench(budgets, options.json ? undefined : (line) => io.err(`  … ${line}`));
  if (options.json) {
    io.out(JSON.stringify({ budgets, ...result }));
    return 0;
  }
  const pc = io.colors;
  io.out(pc.bold(`µs per step (fixed runner; best of ${budgets.stepRounds} alternating rounds), schedules/s after`));
  io.out("  bare replay: the schedules racelab ran, replayed by a trivial scheduler (no trace, invariants or hashing)");
  io.out("  scenario                     racelab  bare replay  fast-check   racelab/bare  fc/racelab   sched/s: racelab  bare  fc");
  for (const t of result.stepCost) {
    const flags = [t.sameSchedules ? "" : pc.red(" schedules differ"), t.diverged ? pc.red(` ${t.diverged} diverged`) : ""].join("");
    io.out(
      `  ${t.scenario.padEnd(27)} ${t.racelab.microsPerStep.toFixed(2).padStart(8)} ${t.bareReplay.microsPerStep.toFixed(2).padStart(12)} ${t.fastCheck.microsPerStep.toFixed(2).padStart(11)} ${String(t.vsBareReplay).padStart(14)} ${String(t.fastCheckVsRacelab).padStart(11)}   ${String(t.racelab.schedulesPerSecond).padStart(16)} ${String(t.bareReplay.schedulesPerSecond).padStart(5)} ${String(t.fastCheck.schedulesPerSecond).padStart(4)}${flags}`,
    );
  }
  io.out("");
  io.out(pc.bold(`Seeded bugs: median schedules / ms to the first violation over ${budgets.seeds} seeds; shrunk length`));
  for (const b of result.bugs) {
    const cells = ["portfolio", "random", "pct(d=3)"].map((name) => {
      const c = b[name] as { medianSchedules: number; medianMs: number; missed: number };
      return `${name} ${c.medianSchedules}/${c.medianMs}ms${c.missed ? ` (${c.missed} missed)` : ""}`;
    });
    const steps = b["steps"] as { original: number; shrunk: number; preemptionsOriginal: number; preemptionsShrunk: number } | undefined;
    const shrunk = steps ? `steps ${steps.original}->${steps.shrunk}, preemptions ${steps.preemptionsOriginal}->${steps.preemptionsShrunk}` : "";
    io.out(`  ${String(b["scenario"]).padEnd(20)} ${String(b["runner"]).padEnd(9)} ${cells.join("  ")}  ${shrunk}`);
  }
  io.out("");
  io.out(pc.bold("dfs --preemptions 2 on the fixed runner"));
  for (const d of result.dfs) {
    io.out(`  ${d.scenario.padEnd(20)} ${d.reduction ? "DPOR " : "plain"}${d.workers ? ` split, ${d.workers} workers` : ""}  ${d.schedules} schedules (${d.abandoned} abandoned), ${d.complete ? "complete" : "NOT complete (budget)"}, ${d.ms} ms`);
  }
  io.out(pc.bold("distance from optimal (the same reduced searches: schedules against the equivalence classes among them)"));
  for (const d of result.optimality) {
    io.out(`  ${d.scenario.padEnd(20)} ${d.schedules} schedules (${d.abandoned} abandoned), ${d.classes} classes: ${d.ratio}x${d.complete ? "" : ", NOT complete (budget)"}`);
  }
  io.out("");
  const m = result.memory;
  io.out(pc.bold("Memory"));
  io.out(`  ${m.scenario}, ${m.schedules} schedules in ${m.ms} ms: RSS ${m.rssEarlyMiB} MiB after ${m.earlySchedules}, ${m.rssEndMiB} MiB after ${m.schedules} (${m.rssGrowth}x); heap used ${m.heapUsedEarlyMiB} -> ${m.heapUsedEndMiB} MiB; peak RSS of the bench so far ${m.peakRssMiB} MiB`);
  io.out("");
  io.out(pc.bold("fuzz worker scaling (fixed runner, seed 1, same wall time)"));
  for (const f of result.fuzz.runs) io.out(`  ${f.workers} worker${f.workers === 1 ? " " : "s"}: ${f.scenarios} scenarios, ${f.schedules} schedules (${f.schedulesPerSecond}/s)`);
  io.out(`  scaling: ${result.fuzz.scaling}x`);
  const up = result.fuzz.upstream;
  io.out(`  upstream, 2 workers: ${up.scenarios} scenarios, ${up.schedules} schedules (${up.schedulesPerSecond}/s): ${result.fuzz.breadth}x fixed's breadth`);
  io.out("");
  io.out(pc.bold("Transports (fixed runner, observer fixed): in process against HTTP through @opencode-ai/sdk and msw"));
  io.out("  scenario              inproc sched/s  µs/step   http sched/s  µs/step   http/inproc");
  for (const t of result.transports) {
    io.out(`  ${t.scenario.padEnd(20)} ${String(t.inproc.schedulesPerSecond).padStart(15)} ${String(t.inproc.microsPerStep).padStart(8)} ${String(t.http.schedulesPerSecond).padStart(14)} ${String(t.http.microsPerStep).padStart(8)} ${String(t.httpVsInproc).padStart(13)}`);
  }
  io.out("");
  const cli = result.cli;
  io.out(pc.bold("The compiled CLI against the tsx path (median of alternating runs)"));
  io.out(`  ${cli.command}`);
  io.out(`  compiled (bin -> dist): ${cli.compiled.schedulesPerSecond} schedules/s, ${cli.compiled.wallMs} ms per process`);
  if (cli.tsx) {
    io.out(`  tsx on the sources:     ${cli.tsx.schedulesPerSecond} schedules/s, ${cli.tsx.wallMs} ms per process`);
    io.out(`  speedup ${cli.speedup}x; ${cli.sameTraceHash ? `same traceHash ${cli.compiled.traceHash}` : pc.red("traceHash differs")}`);
  } else {
    io.out("  (no sources here to run through tsx: this is an installed package)");
  }
  io.out("");
  io.out(pc.bold("The Effect reference runner (effect-fixed) beside the plain model (fixed), random strategy"));
  io.out("  scenario                    plain sched/s  µs/step   effect sched/s  steps  µs/step  ratio   default-scheduler ms/run  slowdown");
  if (result.effectMissing) io.out(`  (not measured: ${result.effectMissing})`);
  for (const e of result.effect) {
    io.out(
      `  ${e.scenario.padEnd(27)} ${String(e.plain.schedulesPerSecond).padStart(13)} ${String(e.plain.microsPerStep).padStart(8)}   ${String(e.effect.schedulesPerSecond).padStart(14)} ${String(Math.round(e.effect.stepsPerSchedule)).padStart(6)} ${String(e.effect.microsPerStep).padStart(8)} ${String(e.stepRatio).padStart(6)}   ${String(e.defaultSchedulerMsPerRun).padStart(24)} ${String(e.slowdown).padStart(9)}x`,
    );
  }
  io.out("");
  io.out(pc.bold("Targets"));
  for (const t of result.targets) io.out(`  ${t.met ? pc.green("met    ") : pc.red("not met")}  ${t.target}: ${JSON.stringify(t.value)}`);
  return 0;
}
