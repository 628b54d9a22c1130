import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./measure.ts";

const BIN = fileURLToPath(new URL("../../../bin/racelab.mjs", import.meta.url));
/** racelab's CLI as TypeScript sources: only in a checkout of the repository, not in the package. */
const SOURCE_MAIN = fileURLToPath(new URL("../../../src/cli/main.ts", import.meta.url));
/** Runs the CLI's `main` from its sources through tsx, the way `npx racelab` ran before the package was compiled. */
const FROM_SOURCES = `const { pathToFileURL } = await import("node:url");
const { main } = await import(pathToFileURL(process.argv[1]).href);
process.exitCode = await main(process.argv.slice(2));`;

/** One way of running the CLI, measured. */
export interface CliRun {
  /** Schedules/s of the exploration itself (as `explore --json` reports it). */
  readonly schedulesPerSecond: number;
  /** The whole process, start-up included. */
  readonly wallMs: number;
  readonly traceHash: string;
}

/** The compiled CLI against the tsx path on the same exploration, alternating, median of `rounds`. */
export interface CliSpeed {
  readonly command: string;
  readonly compiled: CliRun;
  /** Absent outside a checkout (no sources to run). */
  readonly tsx?: CliRun;
  /** compiled / tsx schedules per second. */
  readonly speedup?: number;
  /** Both print the same traceHash: the build changes speed, not behaviour. */
  readonly sameTraceHash?: boolean;
}

/**
 * Runs `explore <scenario> --runner fixed --strategy random --runs <runs> --json` through
 * `bin/racelab.mjs` (compiled JavaScript) and through tsx on the sources, alternating the two
 * so that load on the machine hits both alike, and reports the medians side by side.
 */
export function cliSpeed(scenario: string, runs: number, rounds: number): CliSpeed {
  const args = ["explore", scenario, "--runner", "fixed", "--strategy", "random", "--runs", String(runs), "--seed", "1", "--json"];
  const haveSources = existsSync(SOURCE_MAIN);
  const compiled: CliRun[] = [];
  const tsx: CliRun[] = [];
  for (let round = 0; round < rounds; round++) {
    compiled.push(runCli([BIN, ...args]));
    if (haveSources) tsx.push(runCli(["--import", "tsx", "--input-type=module", "-e", FROM_SOURCES, SOURCE_MAIN, ...args]));
  }
  const summary = (runs: CliRun[]): CliRun => ({
    schedulesPerSecond: median(runs.map((r) => r.schedulesPerSecond)),
    wallMs: median(runs.map((r) => r.wallMs)),
    traceHash: runs[0]!.traceHash,
  });
  const c = summary(compiled);
  const command = `racelab ${args.join(" ")}`;
  if (!haveSources) return { command, compiled: c };
  const t = summary(tsx);
  return {
    command,
    compiled: c,
    tsx: t,
    speedup: Math.round((c.schedulesPerSecond / t.schedulesPerSecond) * 100) / 100,
    sameTraceHash: [...compiled, ...tsx].every((r) => r.traceHash === c.traceHash),
  };
}

function runCli(argv: readonly string[]): CliRun {
  const out = mkdtempSync(join(tmpdir(), "racelab-bench-cli-"));
  const started = performance.now();
  const text = execFileSync(process.execPath, [...argv, "--out", out], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const wallMs = Math.round(performance.now() - started);
  const json = JSON.parse(text) as { schedulesPerSecond: number; traceHash: string };
  return { schedulesPerSecond: json.schedulesPerSecond, wallMs, traceHash: json.traceHash };
}
