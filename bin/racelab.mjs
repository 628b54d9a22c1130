#!/usr/bin/env node
// racelab's command line: runs the compiled package (dist/, built by `npm run build`, which
// `npm ci` and `npm install` run through `prepare`). tsx is loaded only when a user's
// TypeScript module is.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);

// `fuzz` with as many workers as cores: the pool is the parallelism, and V8's helper threads
// (concurrent JIT and GC) only compete with the workers for the cores. Rerun this process
// with --single-threaded before anything heavy loads (measured on 2 cores, 15 s, 2 workers:
// 40.8k schedules against 35.0k). With spare cores (fewer workers) the helpers are left on.
if (args[0] === "fuzz" && !process.env.RACELAB_V8_SINGLE_THREADED && saturatesCores(args)) {
  // Ctrl-C reaches the child too (same process group); it prints its partial summary, so this
  // process waits for it instead of dying first.
  process.on("SIGINT", () => {});
  const child = spawnSync(process.execPath, ["--single-threaded", ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: "inherit",
    env: { ...process.env, RACELAB_V8_SINGLE_THREADED: "1" },
  });
  process.exit(child.status ?? (child.signal === "SIGINT" ? 130 : 70));
}

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("racelab: the package is not built (no dist/cli/main.js); run 'npm run build' in racelab's folder (npm ci and npm install do it)\n");
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(args);

/** Whether `fuzz`'s worker count (default: the number of cores) fills every core. */
function saturatesCores(argv) {
  const at = argv.findIndex((a) => a === "--workers" || a.startsWith("--workers="));
  if (at < 0) return true;
  const value = argv[at].includes("=") ? argv[at].split("=")[1] : argv[at + 1];
  const workers = Number(value);
  // A bad value is left for the CLI to reject with its own message.
  return Number.isInteger(workers) && workers >= availableParallelism();
}
