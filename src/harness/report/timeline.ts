import picocolors from "picocolors";
import type { Violation } from "../invariants/Invariant.ts";
import type { TraceEvent } from "../trace.ts";

type Colors = ReturnType<typeof picocolors.createColors>;
import { describeEvent } from "./describeEvent.ts";

/** What a timeline is drawn from. */
export interface TimelineInput {
  readonly choices: readonly string[];
  readonly trace: readonly TraceEvent[];
  readonly violations: readonly Violation[];
}

/**
 * A step-by-step timeline: each released point, what happened during its step, and each
 * violation marked at the step where it became observable.
 */
export function renderTimeline(input: TimelineInput, pc: Colors = picocolors.createColors(false)): string {
  const byStep = new Map<number, string[]>();
  for (const e of input.trace) {
    const text = describeEvent(e);
    if (text === undefined) continue;
    const list = byStep.get(e.step) ?? [];
    list.push(text);
    byStep.set(e.step, list);
  }
  const width = Math.min(36, Math.max(12, ...input.choices.map((c) => c.length)));
  const lines: string[] = [];
  const mark = (step: number) => {
    for (const v of input.violations.filter((x) => x.step === step)) {
      lines.push(pc.red(`  ${"".padStart(4)}  ✗ ${pc.bold(v.invariant)}: ${v.message}`));
    }
  };
  mark(0);
  input.choices.forEach((label, i) => {
    const step = i + 1;
    const what = byStep.get(step) ?? [];
    lines.push(`  ${String(step).padStart(4)}  ${pc.cyan(label.padEnd(width))}  ${pc.dim(what.join(" · "))}`);
    mark(step);
  });
  const last = input.choices.length;
  for (const v of input.violations.filter((x) => x.step > last)) {
    lines.push(pc.red(`  ${"".padStart(4)}  ✗ ${pc.bold(v.invariant)}: ${v.message}`));
  }
  return lines.join("\n");
}
