import { createRequire } from "node:module";
import { Command, CommanderError, Option } from "commander";
import pc from "picocolors";
import { HarnessError, InputError, ReplayDivergence } from "../harness/errors.ts";
import { benchCommand } from "./commands/bench.ts";
import { exploreCommand } from "./commands/explore.ts";
import { fuzzCommand } from "./commands/fuzz.ts";
import { gateCommand } from "./commands/gate.ts";
import { listCommand } from "./commands/list.ts";
import { mergeCommand } from "./commands/merge.ts";
import { replayCommand } from "./commands/replay.ts";
import { shrinkCommand } from "./commands/shrink.ts";
import { seedNumber, wholeNumber } from "./options.ts";
import { STRATEGY_DEFAULTS } from "../harness/scheduler/strategies/Strategy.ts";
import { ENV_VARS } from "../harness/sandbox/limits.ts";

/** Where the CLI writes (tests capture it). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Colours for human output; all no-ops when the sink is not a colour terminal. */
  readonly colors: Colors;
}

/** picocolors' formatter set. */
export type Colors = ReturnType<typeof pc.createColors>;

const processIo: Io = {
  out: (line) => writeQuietly(process.stdout, `${line}\n`),
  err: (line) => writeQuietly(process.stderr, `${line}\n`),
  colors: pc.createColors(pc.isColorSupported),
};

const closedStreams = new WeakSet<NodeJS.WriteStream>();
const watchedStreams = new WeakSet<NodeJS.WriteStream>();

/**
 * Writes unless the reader has gone (`racelab list | head -1`): a closed pipe (EPIPE) ends
 * the process quietly, as a command-line tool whose output nobody reads any more.
 */
function writeQuietly(stream: NodeJS.WriteStream, text: string): void {
  if (closedStreams.has(stream)) return;
  if (!watchedStreams.has(stream)) {
    watchedStreams.add(stream);
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      closedStreams.add(stream);
      process.exit(process.exitCode ?? EXIT.pass);
    });
  }
  stream.write(text);
}

/** The installed package's version (package.json is two folders up from src/cli and dist/cli). */
export function packageVersion(): string {
  const manifest = createRequire(import.meta.url)("../../package.json") as { version?: string };
  return manifest.version ?? "unknown";
}

/** The exit codes and environment variables, for `--help`. */
function helpFooter(): string {
  const codes = [
    "  0   pass: nothing was violated in what ran (the verdict says how much ran)",
    "  1   a violation was found (or an expectation does not hold)",
    "  2   bad input: a flag, file, path, module or environment value; one line says what to change",
    "  3   replay diverged: the code under test no longer offers the recorded schedule",
    "  70  internal error: a bug in racelab itself (please report it; RACELAB_DEBUG=1 prints the stack)",
    "  130 interrupted (Ctrl-C) before the budget was spent, with nothing violated in what ran",
  ];
  const width = Math.max(...Object.keys(ENV_VARS).map((k) => k.length));
  const env = Object.entries(ENV_VARS).map(([name, what]) => `  ${name.padEnd(width)}  ${what}`);
  return ["", "Exit codes:", ...codes, "", "Environment variables:", ...env].join("\n");
}

/** Exit codes: 0 pass, 1 violation, 2 bad input, 3 replay divergence, 70 racelab bug. */
export const EXIT = { pass: 0, violation: 1, input: 2, divergence: 3, internal: 70 } as const;

/** Runs the CLI; resolves with the exit code instead of exiting. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.pass;
  const program = new Command("racelab")
    .description("Deterministic race-simulation test harness for agent session runners")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showSuggestionAfterError(true)
    .version(packageVersion(), "-V, --version", "print racelab's version")
    .addHelpText("after", helpFooter());

  program
    .command("list")
    .description("list scenarios, runners, strategies and invariants")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }) => {
      code = listCommand(io, opts);
    });

  program
    .command("explore")
    .description("explore schedules of a scenario; exit 0 = no violation in the budget, 1 = violation found, 2 = bad input")
    .argument("<scenario>", "a built-in scenario's name (see 'racelab list') or a path to a scenario file: ./my-scenario.json, a .ts/.js module exporting one (default or `scenario`), or a schedule file (its scenario)")
    .requiredOption("--runner <name>", "runner variant (upstream, pr-21528, fixed) or a path to a runner module (./my-runner.ts)")
    .option("--observer <name>", "run command observer, for scenarios with a run: main-idle, busy-set, fixed", "fixed")
    .addOption(new Option("--transport <kind>", "how the runner is reached: inproc (fast) or http (msw: LLM provider + server API)").choices(["inproc", "http"]).default("inproc"))
    .addOption(new Option("--granularity <kind>", "Effect runners: step (every effect step of every fiber is a point) or suspend (only fork start, wake-up, sleep, yield)").choices(["step", "suspend"]).default("step"))
    .option("--strategy <name>", "exploration strategy: portfolio, random, pct, dfs", "portfolio")
    .option("--runs <n>", "schedules to run at most (default: 1000; dfs: 1000000, i.e. until complete)", wholeNumber("--runs", 1))
    .option("--seed <n>", "seed of the exploration (same seed, same schedules)", seedNumber, 1)
    .option("--depth <d>", "pct: bug depth to target (d-1 priority change points)", wholeNumber("--depth", 1), STRATEGY_DEFAULTS.depth)
    .option("--preemptions <k>", "dfs: preemption bound", wholeNumber("--preemptions", 0), STRATEGY_DEFAULTS.preemptions)
    .option("--no-reduction", "dfs: explore every interleaving, without partial-order reduction (source-DPOR with sleep sets)")
    .option("--workers <n>", "dfs: split the tree into subtrees explored on n worker threads (the same schedules for any n; 1 runs the split search in this thread)", wholeNumber("--workers", 1))
    .option("--max-steps <n>", "step limit per schedule; hitting it is a livelock finding", wholeNumber("--max-steps", 1), 1000)
    .option("--keep-going", "keep exploring after a failure: one failure per distinct set of invariants", false)
    .option("--no-shrink", "write failing schedules as found, without shrinking them")
    .option("--out <dir>", "where failure files go", "reports/failures")
    .option("--step-timeout <ms>", "a runner module's step that does not return within this is a runner-timeout finding (default 2000; RACELAB_STEP_TIMEOUT_MS)", wholeNumber("--step-timeout", 10))
    .option("--memory-limit <MiB>", "heap cap of a runner module's sandbox; past it, a runner-oom finding (default 1024; RACELAB_MEMORY_LIMIT_MB)", wholeNumber("--memory-limit", 64))
    .addOption(new Option("--json", "print one JSON object instead of text").default(false))
    .action(async (scenario: string, opts) => {
      code = await exploreCommand(io, scenario, opts);
    });

  program
    .command("replay")
    .description("rerun a recorded schedule; exit 1 = violation reproduces, 0 = passes now, 3 = divergence, 2 = bad file")
    .argument("<file>", "a schedule file written by 'racelab explore'")
    .option("--step-timeout <ms>", "a runner module's step that does not return within this is a runner-timeout (default 2000; RACELAB_STEP_TIMEOUT_MS)", wholeNumber("--step-timeout", 10))
    .option("--memory-limit <MiB>", "heap cap of a runner module's sandbox (default 1024; RACELAB_MEMORY_LIMIT_MB)", wholeNumber("--memory-limit", 64))
    .action(async (file: string, opts: { stepTimeout?: number; memoryLimit?: number }) => {
      code = await replayCommand(io, file, opts);
    });

  program
    .command("shrink")
    .description("shrink a failing schedule file while the same invariant fails; exit 1 = shrunk failure written, 0 = it no longer fails, 2 = bad file")
    .argument("<file>", "a schedule file written by 'racelab explore' (it embeds its scenario, a built-in one or one from a scenario file, so the scenario file need not be there)")
    .option("--out <dir>", "where the shrunk file goes (default: next to the input)")
    .option("--step-timeout <ms>", "a runner module's step that does not return within this is a runner-timeout (default 2000; RACELAB_STEP_TIMEOUT_MS)", wholeNumber("--step-timeout", 10))
    .option("--memory-limit <MiB>", "heap cap of a runner module's sandbox (default 1024; RACELAB_MEMORY_LIMIT_MB)", wholeNumber("--memory-limit", 64))
    .action(async (file: string, opts: { out?: string; stepTimeout?: number; memoryLimit?: number }) => {
      code = await shrinkCommand(io, file, opts);
    });

  program
    .command("fuzz")
    .description("fuzz a runner with swarm-generated scenarios; exit 0 = no failure, 1 = failures found (shrunk, deduplicated by the causal shape of their race, written), 2 = bad input")
    .option("--runner <name|path>", "runner variant (upstream, pr-21528, fixed) or a path to a runner module (./my-runner.ts)", "fixed")
    .option("--observer <name>", "run command observer, for generated scenarios with a run: main-idle, busy-set, fixed", "fixed")
    .option("--time <s>", "seconds to fuzz for (wall clock; it only decides how many scenarios run)", wholeNumber("--time", 1), 60)
    .option("--scenarios <n>", "run exactly this many scenarios instead of --time (same result on any machine, any --workers)", wholeNumber("--scenarios", 1))
    .option("--seed <n>", "seed of the campaign: scenario i is the same for the same seed", seedNumber, 1)
    .option("--shard <i/n>", "run only shard i of n: scenario k goes to shard (k mod n)+1; 'racelab merge' puts the shards' --out folders together")
    .option("--workers <n>", "worker threads (default: the number of cores)", wholeNumber("--workers", 1))
    .option("--budget <n>", "schedules explored per scenario (portfolio strategy)", wholeNumber("--budget", 1), 200)
    .option("--max-steps <n>", "step limit per schedule; hitting it is a livelock finding", wholeNumber("--max-steps", 1), 1000)
    .option("--save", "also write each distinct failure into --regressions, which 'racelab gate' replays", false)
    .option("--regressions <dir>", "where --save writes", "scenarios/regressions")
    .option("--out <dir>", "where failure files, their reports, junit.xml, summary.md and fuzz-result.json go", "reports/fuzz")
    .option("--step-timeout <ms>", "a step that does not return within this is a runner-timeout finding (default 2000; RACELAB_STEP_TIMEOUT_MS)", wholeNumber("--step-timeout", 10))
    .option("--memory-limit <MiB>", "heap cap of each worker; past it, a runner-oom finding (default 1024; RACELAB_MEMORY_LIMIT_MB)", wholeNumber("--memory-limit", 64))
    .addOption(new Option("--json", "print one JSON object instead of text").default(false))
    .action(async (opts) => {
      code = await fuzzCommand(io, opts);
    });

  program
    .command("merge")
    .description("merge the --out folders of 'racelab fuzz --shard i/n' runs into what one machine finds; exit 0 = no failure, 1 = failures, 2 = bad or mismatched shards")
    .argument("<dirs...>", "the shards' --out folders (each has a fuzz-result.json); every shard of the campaign, once")
    .option("--out <dir>", "where the merged failure files, reports, junit.xml, summary.md and fuzz-result.json go", "reports/fuzz")
    .option("--save", "also write each distinct failure into --regressions (done anyway when every shard ran with --save)")
    .option("--regressions <dir>", "where --save writes (default: where the shards' --save wrote, else scenarios/regressions)")
    .addOption(new Option("--json", "print one JSON object instead of text").default(false))
    .action(async (dirs: string[], opts: { out: string; save?: boolean; regressions?: string; json: boolean }) => {
      code = await mergeCommand(io, dirs, { ...opts, save: Boolean(opts.save) });
    });

  program
    .command("gate")
    .description("CI regression gate: every expectation row and saved regression; exit 0 = all hold, 1 = some do not, 2 = bad table")
    .option("--expectations <file>", "the expectations table (default: scenarios/expectations.json in this folder, else racelab's own); a row's scenario is a built-in name or a path to a scenario file, relative to the table's folder")
    .option("--regressions <dir>", "saved failures to replay, written by 'racelab fuzz --save' (default: regressions/ beside the table)")
    .option("--shard <i/n>", "run only shard i of n (rows are dealt round-robin; the union of the shards is the whole gate)")
    .option("--filter <text>", "run only checks whose name contains text (skips the coverage check)")
    .option("--reports <dir>", "where junit.xml, summary.md and failures/ go", "reports")
    .option("--step-summary <file>", "append summary.md to this file (default: $GITHUB_STEP_SUMMARY when set)")
    .action(async (opts: { expectations?: string; regressions?: string; shard?: string; filter?: string; reports: string; stepSummary?: string }) => {
      code = await gateCommand(io, opts);
    });

  program
    .command("bench")
    .description("measure µs per step against fast-check's scheduler and a bare replay of the same schedules (schedules/s beside), time to first violation per strategy, dfs reduction and its distance from optimal (schedules per equivalence class), memory over 10k and 100k schedules")
    .option("--json", "print one JSON object")
    .option("--quick", "small budgets (a smoke test; the numbers mean little)")
    .action(async (opts: { json?: boolean; quick?: boolean }) => {
      code = await benchCommand(io, { json: Boolean(opts.json), quick: Boolean(opts.quick) });
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    return exitCodeFor(error, io);
  }
}

function exitCodeFor(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message; help and version are not errors.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
      return EXIT.pass;
    }
    return EXIT.input;
  }
  if (error instanceof InputError) {
    io.err(`racelab: ${error.message}`);
    return EXIT.input;
  }
  if (error instanceof ReplayDivergence) {
    io.err(`racelab: replay diverged at step ${error.step}: ${error.message}`);
    return EXIT.divergence;
  }
  const what = error instanceof HarnessError ? error.message : String(error);
  io.err(`racelab: internal error (a bug in racelab, please report it): ${what}`);
  if (process.env.RACELAB_DEBUG && error instanceof Error) io.err(error.stack ?? "");
  return EXIT.internal;
}
