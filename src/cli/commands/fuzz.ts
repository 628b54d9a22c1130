import { count } from "../../harness/output/plural.ts";
import { EXIT_INTERRUPTED, interruptible } from "../interrupt.ts";
import { packageVersion, type Io } from "../main.ts";
import { printFuzzResult, writeFuzzOutputs } from "./fuzzOutput.ts";
import { parseShard, shardSize, type Shard } from "../../harness/gate/shard.ts";
import { FUZZ_RESULT_VERSION, type FuzzResultEntry, type FuzzResultFile } from "../../harness/fuzz/fuzzResultFile.ts";
import { copyFileSync } from "node:fs";
import { ensureDirectory } from "../../harness/output/writeOutput.ts";
import { availableParallelism } from "node:os";
import { basename, join, resolve } from "node:path";
import cliProgress from "cli-progress";
import { recordedViolations, SCHEDULE_VERSION, writeScheduleFile, type ScheduleFile } from "../../harness/explore/scheduleFile.ts";
import { fuzzCampaign, type CampaignProgress, type CampaignResult, type DistinctFailure } from "../../harness/fuzz/fuzzCampaign.ts";
import { isRunnerPath } from "../../boundaries/loaders/loadRunnerModule.ts";
import { writeFailureReports } from "../../harness/reporters/writeFailureReports.ts";
import { loadObserver } from "../../harness/resolve.ts";
import { replaySchedule } from "../../harness/explore/replaySchedule.ts";
import { resolveLimits, type Limits } from "../../harness/sandbox/limits.ts";
import { loadChecked } from "../../harness/sandbox/Sandbox.ts";
import { InputError, ReplayDivergence } from "../../harness/errors.ts";

/** Resolved options of `racelab fuzz`. */
export interface FuzzCommandOptions {
  readonly runner: string;
  readonly observer: string;
  /** Seconds of wall-clock budget (ignored when `scenarios` is set). */
  readonly time: number;
  readonly scenarios?: number;
  readonly seed: number;
  /** `i/n`: run only the campaign's scenario indices k with k mod n = i-1 (see shardItem). */
  readonly shard?: string;
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
 * added to the gate's regressions. With `--shard i/n`, only the shard's own scenarios; every
 * run writes `fuzz-result.json` (with junit.xml and summary.md) for `racelab merge`. Exit 1
 * when anything failed, 0 when nothing did.
 */
export async function fuzzCommand(io: Io, o: FuzzCommandOptions): Promise<number> {
  const shard = o.shard === undefined ? undefined : parseShard(o.shard);
  const ours = o.scenarios !== undefined && shard ? shardSize(shard, o.scenarios) : o.scenarios;
  if (shard && ours === 0) {
    throw new InputError(`fuzz: --scenarios ${o.scenarios} leaves shard ${o.shard} no scenario (scenario k goes to shard (k mod ${shard.count})+1); use at most ${o.scenarios} shards or more scenarios`);
  }
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
  const shardText = shard ? `shard ${shard.index}/${shard.count}` : "";
  const what =
    o.scenarios !== undefined
      ? shard ? `${count(ours!, "scenario")} of ${o.scenarios} (${shardText})` : count(o.scenarios, "scenario")
      : `${o.time} s${shard ? ` (${shardText})` : ""}`;
  // The header and the progress start with the first finished scenario: a campaign that
  // finishes none prints only the line that says nothing was tested.
  let reporter: ReturnType<typeof progressReporter> | undefined;
  const start = () => {
    if (o.json || reporter) return;
    io.out(`fuzz · runner ${variant.name} · observer ${observer} · seed ${o.seed} · ${what} · ${count(workers, "worker")} · ${o.budget} schedules a scenario`);
    reporter = progressReporter(io, { ...o, ...(ours !== undefined && { scenarios: ours }) }, workers);
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
    ...(shard && { shard }),
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

  const entries: FuzzResultEntry[] = [];
  for (const d of result.distinct) entries.push(await writeFailure(d, variant.name, { ...o, observer }, limits));
  const file = resultFile(result, entries, { ...o, observer, runner: variant.name }, shard, workers);
  return printFuzzResult(io, file, writeFuzzOutputs(o.out, file), o);
}

/** The campaign's result as `fuzz-result.json` records it. */
function resultFile(result: CampaignResult, distinct: FuzzResultEntry[], o: FuzzCommandOptions, shard: Shard | undefined, workers: number): FuzzResultFile {
  return {
    version: FUZZ_RESULT_VERSION,
    kind: "racelab-fuzz-result",
    racelab: packageVersion(),
    campaign: {
      runner: o.runner,
      observer: o.observer,
      seed: o.seed,
      budget: o.budget,
      maxSteps: o.maxSteps,
      ...(o.scenarios !== undefined ? { scenarios: o.scenarios } : { time: o.time }),
      shards: shard?.count ?? 1,
    },
    shards: [
      {
        index: shard?.index ?? 1,
        scenarios: result.scenarios,
        schedules: result.schedules,
        steps: result.steps,
        failingScenarios: result.failingScenarios,
        elapsedMs: Math.round(result.elapsedMs),
        workers,
        ...(result.interrupted && { interrupted: true as const }),
        ...(o.save && { regressions: o.regressions }),
      },
    ],
    scenarios: result.scenarios,
    schedules: result.schedules,
    steps: result.steps,
    failingScenarios: result.failingScenarios,
    distinct,
  };
}

/** Writes one distinct failure: schedule file, HTML page and Chrome trace; with --save, into the regressions too. */
async function writeFailure(d: DistinctFailure, runnerName: string, o: FuzzCommandOptions, limits: Limits): Promise<FuzzResultEntry> {
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
  const replay = `npx racelab replay ${saved ?? path}`;
  const reports = writeFailureReports(o.out, {
    name: basename(path, ".json"),
    scenario: f.scenario,
    runner: runnerName,
    ...(f.scenario.run && { observer: o.observer }),
    choices: run.choices,
    trace: run.trace,
    violations: run.violations,
    replay,
  });
  return { ...d, file: basename(path), reports: [basename(reports.html), basename(reports.trace)], replay, ...(saved && { saved }) };
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
