import { count } from "../../harness/output/plural.ts";
import { EXIT_INTERRUPTED, interruptible } from "../interrupt.ts";
import { copyFileSync } from "node:fs";
import { ensureDirectory } from "../../harness/output/writeOutput.ts";
import { availableParallelism } from "node:os";
import { basename, join, resolve } from "node:path";
import cliProgress from "cli-progress";
import { recordedViolations, SCHEDULE_VERSION, writeScheduleFile, type ScheduleFile } from "../../harness/explore/scheduleFile.ts";
import { describeShrink } from "../../harness/explore/shrink.ts";
import { fuzzCampaign, type CampaignProgress, type DistinctFailure } from "../../harness/fuzz/fuzzCampaign.ts";
import { signatureShape } from "../../harness/fuzz/interleavingSignature.ts";
import { isRunnerPath } from "../../boundaries/loaders/loadRunnerModule.ts";
import { writeFailureReports } from "../../harness/reporters/writeFailureReports.ts";
import { loadObserver } from "../../harness/resolve.ts";
import { replaySchedule } from "../../harness/explore/replaySchedule.ts";
import { resolveLimits, type Limits } from "../../harness/sandbox/limits.ts";
import { loadChecked } from "../../harness/sandbox/Sandbox.ts";
import { InputError, ReplayDivergence } from "../../harness/errors.ts";
import type { Io } from "../main.ts";

/** Resolved options of `racelab fuzz`. */
export interface FuzzCommandOptions {
  readonly runner: string;
  readonly observer: string;
  /** Seconds of wall-clock budget (ignored when `scenarios` is set). */
  readonly time: number;
  readonly scenarios?: number;
  readonly seed: number;
  readonly workers?: number;
  readonly budget: number;
  readonly maxSteps: number;
  readonly save: boolean;
  readonly regressions: string;
  readonly out: string;
  readonly json: boolean;
  /** Draw a progress bar (a terminal); otherwise print a plain line every few seconds. */
  readonly bar?: boolean;
  readonly stepTimeout?: number;
  readonly memoryLimit?: number;
}

/** Seconds between plain progress lines when not on a terminal. */
const PLAIN_EVERY_MS = 5000;

/**
 * `racelab fuzz`: swarm-generated scenarios against one runner until the time (or scenario)
 * budget is spent; every distinct failure shrunk, written with its reports, and with `--save`
 * added to the gate's regressions. Exit 1 when anything failed, 0 when nothing did.
 */
export async function fuzzCommand(io: Io, o: FuzzCommandOptions): Promise<number> {
  const pc = io.colors;
  const limits = resolveLimits({ ...(o.stepTimeout !== undefined && { stepTimeout: o.stepTimeout }), ...(o.memoryLimit !== undefined && { memoryLimit: o.memoryLimit }) });
  // Load and check the runner first (a user's module in a sandbox): a module that does not
  // implement the port, fails to compile or never finishes loading is an InputError here.
  const variant = await loadChecked(o.runner, limits);
  // A user's observer module is named by its path relative to here, as schedule files record it.
  const observer = (await loadObserver(o.observer)).name;
  const runnerSpec = isRunnerPath(o.runner) ? resolve(o.runner) : o.runner;
  const cores = availableParallelism();
  const workers = Math.min(o.workers ?? cores, cores);
  // More workers than cores only compete for them (and each holds a runner's heap): use the cores.
  if (o.workers !== undefined && o.workers > cores) io.err(`racelab: --workers ${o.workers} is more than this machine's ${cores} cores; using ${cores}`);
  const what = o.scenarios !== undefined ? count(o.scenarios, "scenario") : `${o.time} s`;
  // The header and the progress start with the first finished scenario: a campaign that
  // finishes none prints only the line that says nothing was tested.
  let reporter: ReturnType<typeof progressReporter> | undefined;
  const start = () => {
    if (o.json || reporter) return;
    io.out(`fuzz · runner ${variant.name} · observer ${observer} · seed ${o.seed} · ${what} · ${count(workers, "worker")} · ${o.budget} schedules a scenario`);
    reporter = progressReporter(io, o, workers);
  };
  const onProgress = (p: CampaignProgress) => {
    if (p.scenarios > 0) start();
    reporter?.update(p);
  };
  const result = await interruptible(io, (interrupt) => fuzzCampaign({
    interrupt,
    seed: o.seed,
    runner: runnerSpec,
    observer,
    budget: o.budget,
    maxSteps: o.maxSteps,
    workers,
    limits,
    ...(o.scenarios !== undefined ? { scenarios: o.scenarios } : { timeMs: o.time * 1000 }),
    ...(!o.json && { onProgress }),
  }));
  if (result.scenarios > 0) start();
  reporter?.stop();
  if (result.scenarios === 0 && result.interrupted) {
    io.err(`racelab: fuzz: interrupted before any scenario finished (${count(result.schedules, "schedule")} ran); nothing was tested`);
    return EXIT_INTERRUPTED;
  }
  if (result.scenarios === 0) {
    // Nothing finished: no verdict, green or red, may come of it.
    throw new InputError(`fuzz: no scenario finished in ${o.time} s (${result.schedules} schedules ran), so nothing was tested; give it more time (--time) or a count (--scenarios 1)`);
  }

  const written = [];
  for (const d of result.distinct) written.push(await writeFailure(d, variant.name, { ...o, observer }, limits));
  const rate = result.elapsedMs > 0 ? Math.round((result.schedules / result.elapsedMs) * 1000) : 0;
  if (o.json) {
    io.out(
      JSON.stringify({
        runner: variant.name,
        observer,
        seed: o.seed,
        workers,
        scenarios: result.scenarios,
        schedules: result.schedules,
        schedulesPerSecond: rate,
        failingScenarios: result.failingScenarios,
        elapsedMs: Math.round(result.elapsedMs),
        ...(result.interrupted && { interrupted: true }),
        failures: written.map((w) => ({
          signature: w.d.failure.signature,
          invariant: w.d.failure.invariant,
          invariants: w.d.failure.invariants,
          scenarioIndex: w.d.index,
          features: w.d.features,
          occurrences: w.d.occurrences,
          seenAs: w.d.seenAs,
          ...(primaryCause(w.d) && { cause: primaryCause(w.d)!.text, race: primaryCause(w.d)!.race }),
          steps: w.d.failure.choices.length,
          file: w.file,
          html: w.html,
          ...(w.saved && { saved: w.saved }),
          replay: `npx racelab replay ${w.saved ?? w.file}`,
        })),
      }),
    );
    return written.length > 0 ? 1 : result.interrupted ? EXIT_INTERRUPTED : 0;
  }
  io.out(`${count(result.scenarios, "scenario")}, ${count(result.schedules, "schedule")} (${rate}/s), ${(result.elapsedMs / 1000).toFixed(1)} s, ${count(result.failingScenarios, "failing scenario")}${result.interrupted ? " (interrupted by Ctrl-C)" : ""}`);
  if (written.length === 0 && result.interrupted) {
    io.out(pc.yellow(`⚠ interrupted (Ctrl-C): no failure in the ${count(result.scenarios, "generated scenario")} that finished (${count(result.schedules, "schedule")})`));
    return EXIT_INTERRUPTED;
  }
  if (written.length === 0) {
    io.out(pc.green(`✓ no failure in ${count(result.scenarios, "generated scenario")} (${count(result.schedules, "schedule")})`));
    return 0;
  }
  io.out(pc.red(`✗ ${written.length} distinct failure${written.length === 1 ? "" : "s"}:`));
  for (const w of written) {
    const f = w.d.failure;
    io.out("");
    const also = w.d.seenAs.filter((inv) => inv !== f.invariant);
    io.out(pc.red(`✗ ${pc.bold(f.invariants.join(", "))} · scenario #${w.d.index} (${w.d.features}) · seen ${w.d.occurrences}×${also.length > 0 ? ` (also as ${also.join(", ")})` : ""}`));
    for (const v of f.violations) {
      io.out(`  ${pc.bold(v.invariant)}: ${v.message}`);
      if (v.cause) io.out(pc.yellow(`    cause: ${v.cause.text}`));
    }
    io.out(pc.dim(`  shrunk: ${describeShrink(f.original, f.shrunk)} · signature ${f.signature}`));
    const shape = signatureShape(f.violations.find((v) => v.invariant === f.invariant) ?? f.violations[0]!);
    if (shape) io.out(pc.dim(`  ${shape}`));
    io.out(`  Report:    ${w.html}`);
    io.out(`  Reproduce: ${pc.bold(`npx racelab replay ${w.saved ?? w.file}`)}`);
  }
  if (!o.save) io.out(pc.dim(`\nAdd --save to put these into ${o.regressions}/, which 'racelab gate' replays.`));
  return 1;
}

/** The causal chain of the violation a distinct failure was shrunk on. */
function primaryCause(d: DistinctFailure) {
  return d.failure.violations.find((v) => v.invariant === d.failure.invariant)?.cause;
}

/** Writes one distinct failure: schedule file, HTML page and Chrome trace; with --save, into the regressions too. */
async function writeFailure(d: DistinctFailure, runnerName: string, o: FuzzCommandOptions, limits: Limits) {
  const f = d.failure;
  const schedule: ScheduleFile = {
    version: SCHEDULE_VERSION,
    kind: "racelab-schedule",
    scenario: f.scenario,
    runner: runnerName,
    ...(f.scenario.run && { observer: o.observer }),
    strategy: "fuzz",
    seed: o.seed,
    run: d.index,
    maxSteps: o.maxSteps,
    randomSeed: f.randomSeed,
    choices: f.choices,
    violations: recordedViolations(f.violations),
    shrink: { original: f.original, shrunk: f.shrunk, attempts: 0 },
  };
  const path = writeScheduleFile(o.out, schedule);
  // The worker sent back the schedule, not its trace: replay it for the reports (a user's
  // runner in a sandbox, where a run that never comes back is the runner-timeout again).
  // A run that goes another way here than in its worker (state the runner kept between the
  // worker's runs) is reported from what the worker sent back, without a trace.
  const run = await replaySchedule(schedule, limits).then(
    (r) => r.result,
    (error: unknown) => {
      if (!(error instanceof ReplayDivergence)) throw error;
      return { choices: f.choices, trace: [], violations: f.violations };
    },
  );
  let saved: string | undefined;
  if (o.save) {
    ensureDirectory(o.regressions, "--regressions");
    saved = join(o.regressions, basename(path));
    copyFileSync(path, saved);
  }
  const reports = writeFailureReports(o.out, {
    name: basename(path, ".json"),
    scenario: f.scenario,
    runner: runnerName,
    ...(f.scenario.run && { observer: o.observer }),
    choices: run.choices,
    trace: run.trace,
    violations: run.violations,
    replay: `npx racelab replay ${saved ?? path}`,
  });
  return { d, file: path, html: reports.html, saved };
}

/** A cli-progress bar on a terminal; plain lines every few seconds otherwise. */
function progressReporter(io: Io, o: FuzzCommandOptions, workers: number) {
  const total = o.scenarios ?? o.time;
  const rateOf = (p: CampaignProgress) => (p.elapsedMs > 0 ? Math.round((p.schedules / p.elapsedMs) * 1000) : 0);
  const payload = (p: CampaignProgress) => ({
    elapsed: (p.elapsedMs / 1000).toFixed(0),
    rate: rateOf(p),
    scenarios: p.scenarios,
    distinct: p.distinct,
  });
  const valueOf = (p: CampaignProgress) => (o.scenarios !== undefined ? p.scenarios : Math.min(total, Math.floor(p.elapsedMs / 1000)));
  if (o.bar ?? Boolean(process.stderr.isTTY)) {
    const bar = new cliProgress.SingleBar(
      {
        format: `fuzz |{bar}| {elapsed}s · {rate} schedules/s · {scenarios} scenarios · {distinct} distinct failures`,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { elapsed: "0", rate: 0, scenarios: 0, distinct: 0 });
    return {
      update: (p: CampaignProgress) => bar.update(valueOf(p), payload(p)),
      stop: () => {
        // The budget is spent (or the scenarios done): show the bar full.
        bar.update(total);
        bar.stop();
      },
    };
  }
  let lastLine = 0;
  return {
    update: (p: CampaignProgress) => {
      if (p.elapsedMs - lastLine < PLAIN_EVERY_MS) return;
      lastLine = p.elapsedMs;
      const x = payload(p);
      io.out(`fuzz: ${x.elapsed} s · ${x.rate} schedules/s · ${x.scenarios} scenarios · ${x.distinct} distinct failures (${count(workers, "worker")})`);
    },
    stop: () => {},
  };
}
