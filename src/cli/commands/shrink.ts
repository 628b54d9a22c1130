import { dirname, relative } from "node:path";
import { readScheduleFile, recordedViolations, writeScheduleFile } from "../../harness/explore/scheduleFile.ts";
import { describeShortest, describeShrink, shrinkFailure } from "../../harness/explore/shrink.ts";
import { renderTimeline } from "../../harness/report/timeline.ts";
import { resolveInvariants, loadRunner, resolveWorld } from "../../harness/resolve.ts";
import type { Io } from "../main.ts";

/** `racelab shrink <file>`: 1 = shrunk failure written; 0 = the schedule no longer fails (nothing to shrink). */
export async function shrinkCommand(io: Io, path: string, options: { out?: string }): Promise<number> {
  const pc = io.colors;
  const file = readScheduleFile(path);
  const primary = file.violations[0]?.invariant;
  if (!primary) {
    io.out(pc.green(`✓ ${path} records no violation: nothing to shrink`));
    return 0;
  }
  const runner = await loadRunner(file.runner);
  const invariants = resolveInvariants(file.scenario);
  let shrunk;
  try {
    shrunk = await shrinkFailure({
      scenario: file.scenario,
      runner,
      invariants,
      primary,
      maxSteps: file.maxSteps,
      choices: file.choices,
      world: resolveWorld(file.scenario, file.observer, file.transport, file.granularity),
    });
  } catch {
    io.out(pc.green(`✓ ${path}: ${primary} no longer fails on this schedule, so there is nothing to shrink (replay it to see the run)`));
    return 0;
  }
  const violations = recordedViolations(shrunk.full.violations);
  const written = writeScheduleFile(options.out ?? dirname(path), {
    ...file,
    scenario: shrunk.scenario,
    choices: shrunk.full.choices,
    violations,
    shrink: {
      original: file.shrink?.original ?? shrunk.original,
      shrunk: shrunk.shrunk,
      attempts: (file.shrink?.attempts ?? 0) + shrunk.attempts,
    },
  }, "-shrunk");
  io.out(`Shrunk ${path} in ${shrunk.attempts} runs (${primary} still fails):`);
  io.out(`  ${describeShrink(shrunk.original, shrunk.shrunk)}`);
  const shortest = describeShortest(shrunk.shortestWithin);
  if (shortest) io.out(`  It is ${shortest}.`);
  io.out(renderTimeline({ choices: shrunk.full.choices, trace: shrunk.full.trace, violations: shrunk.full.violations }, pc));
  const shown = relative(process.cwd(), written) || written;
  io.out(`Shrunk file: ${shown}`);
  io.out(`Reproduce:   ${pc.bold(`npx racelab replay ${shown}`)}`);
  return 1;
}
