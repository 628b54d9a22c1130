import { replaySchedule } from "../../harness/explore/replaySchedule.ts";
import { readScheduleFile } from "../../harness/explore/scheduleFile.ts";
import { renderTimeline } from "../../harness/report/timeline.ts";
import { resolveLimits } from "../../harness/sandbox/limits.ts";
import type { Io } from "../main.ts";

/** `racelab replay <file>`: 1 = the recorded violation reproduces, 0 = the run passes now (3 = divergence, thrown). */
export async function replayCommand(io: Io, path: string, options: { stepTimeout?: number; memoryLimit?: number } = {}): Promise<number> {
  const pc = io.colors;
  const file = readScheduleFile(path);
  const limits = resolveLimits({ ...(options.stepTimeout !== undefined && { stepTimeout: options.stepTimeout }), ...(options.memoryLimit !== undefined && { memoryLimit: options.memoryLimit }) });
  const { result, verdict } = await replaySchedule(file, limits);
  io.out(`Replaying ${path}: ${file.scenario.name} · runner ${file.runner} · ${file.choices.length} steps`);
  io.out(renderTimeline({ choices: result.choices, trace: result.trace, violations: result.violations }, pc));
  io.out("");
  const recorded = [...new Set(file.violations.map((v) => v.invariant))].join(", ");
  const now = [...new Set(result.violations.map((v) => v.invariant))].join(", ");
  if (verdict === "reproduced") {
    io.out(pc.red(`✗ reproduced: ${pc.bold(now)}`));
    return 1;
  }
  if (verdict === "different") {
    io.out(pc.red(recorded ? `✗ the recorded ${recorded} did not reproduce, but the run now fails with ${pc.bold(now)}` : `✗ the file records no violation, but the run now fails with ${pc.bold(now)}`));
    return 1;
  }
  io.out(pc.green(recorded ? `✓ the run now passes (recorded: ${recorded})` : "✓ the run passes (the file records no violation)"));
  return 0;
}
