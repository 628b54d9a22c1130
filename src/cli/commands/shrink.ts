import { count } from "../../harness/output/plural.ts";
import { dirname, relative } from "node:path";
import { randomSeedOf, worldSpecOf } from "../../harness/explore/replaySchedule.ts";
import { readScheduleFile, recordedViolations, writeScheduleFile, type ScheduleFile } from "../../harness/explore/scheduleFile.ts";
import { describeShortest, describeShrink } from "../../harness/explore/shrinkSize.ts";
import { renderTimeline } from "../../harness/report/timeline.ts";
import { resolveLimits } from "../../harness/sandbox/limits.ts";
import { runJobWatched } from "../../harness/sandbox/Sandbox.ts";
import { shrinkFault } from "../../harness/sandbox/shrinkFault.ts";
import type { ScheduleResult } from "../../harness/explore/runSchedule.ts";
import type { Io } from "../main.ts";

/** `racelab shrink <file>`: 1 = shrunk failure written; 0 = the schedule no longer fails (nothing to shrink). */
export async function shrinkCommand(io: Io, path: string, options: { out?: string; stepTimeout?: number; memoryLimit?: number }): Promise<number> {
  const pc = io.colors;
  const file = readScheduleFile(path);
  const primary = file.violations[0]?.invariant;
  if (!primary) {
    io.out(pc.green(`✓ ${path} records no violation: nothing to shrink`));
    return 0;
  }
  const limits = resolveLimits({ ...(options.stepTimeout !== undefined && { stepTimeout: options.stepTimeout }), ...(options.memoryLimit !== undefined && { memoryLimit: options.memoryLimit }) });
  const out = options.out ?? dirname(path);
  let written: string;
  let full: ScheduleResult;
  let sizes: string;
  let shortest = "";
  if (primary === "runner-timeout" || primary === "runner-oom") {
    // Runs that never come back are shrunk from here, each candidate in a sandbox of its own.
    const run = { scenario: file.scenario, runner: file.runner, world: worldSpecOf(file), maxSteps: file.maxSteps, randomSeed: randomSeedOf(file) };
    const replay = await runJobWatched({ kind: "schedule", ...run, chooser: { kind: "replay", choices: file.choices } }, { ...limits, sandbox: "always" });
    if (!replay.fault) {
      io.out(pc.green(`✓ ${path}: ${primary} no longer happens on this schedule, so there is nothing to shrink (replay it to see the run)`));
      return 0;
    }
    const { postMortem } = await import("../../harness/sandbox/postMortem.ts");
    const found = await postMortem(run, replay.fault, limits);
    const shrunk = await shrinkFault(run, found, limits);
    full = shrunk.result;
    const next: ScheduleFile = {
      ...file,
      scenario: shrunk.scenario,
      choices: full.choices,
      violations: recordedViolations(full.violations),
      shrink: { original: file.shrink?.original ?? shrunk.original, shrunk: shrunk.shrunk, attempts: (file.shrink?.attempts ?? 0) + shrunk.attempts },
    };
    written = writeScheduleFile(out, next, "-shrunk");
    sizes = describeShrink(shrunk.original, shrunk.shrunk);
    io.out(`Shrunk ${path} in ${count(shrunk.attempts, "run")}, each in a sandbox (${primary} still happens):`);
  } else {
    const done = await runJobWatched({ kind: "shrink", file, runner: file.runner, out }, limits);
    if (done.fault) {
      io.out(pc.red(`✗ ${path}: shrinking stopped: a candidate schedule did not return within ${done.fault.limit} ${done.fault.kind === "oom" ? "MiB" : "ms"} (a runner-${done.fault.kind === "oom" ? "oom" : "timeout"} on another schedule); the file stays as it is`));
      return 1;
    }
    const outcome = done.outcome;
    if (outcome.passes) {
      io.out(pc.green(`✓ ${path}: ${primary} no longer fails on this schedule, so there is nothing to shrink (replay it to see the run)`));
      return 0;
    }
    written = outcome.written;
    full = outcome.shrunk.full;
    sizes = describeShrink(outcome.shrunk.original, outcome.shrunk.shrunk);
    shortest = describeShortest(outcome.shrunk.shortestWithin);
    io.out(`Shrunk ${path} in ${count(outcome.shrunk.attempts, "run")} (${primary} still fails):`);
  }
  io.out(`  ${sizes}`);
  if (shortest) io.out(`  It is ${shortest}.`);
  io.out(renderTimeline({ choices: full.choices, trace: full.trace, violations: full.violations }, pc));
  const shown = relative(process.cwd(), written) || written;
  io.out(`Shrunk file: ${shown}`);
  io.out(`Reproduce:   ${pc.bold(`npx racelab replay ${shown}`)}`);
  return 1;
}
