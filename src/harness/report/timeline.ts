import picocolors from "picocolors";
import type { Violation } from "../invariants/Invariant.ts";
import type { TraceEvent } from "../trace.ts";

type Colors = ReturnType<typeof picocolors.createColors>;
import { describeEvent } from "./describeEvent.ts";

/** The steps of the violations' causal chains. */
export function causalSteps(violations: readonly Violation[]): Set<number> {
  return new Set(violations.flatMap((v) => v.cause?.steps.map((s) => s.step) ?? []));
}

/** What a timeline is drawn from. */
export interface TimelineInput {
  readonly choices: readonly string[];
  readonly trace: readonly TraceEvent[];
  readonly violations: readonly Violation[];
}

/**
 * A step-by-step timeline: each released point, what happened during its step, and each
 * violation marked at the step where it became observable, with its causal chain on the line
 * after it. The steps of a chain carry a `●` before their number.
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
  const causal = causalSteps(input.violations);
  const show = (v: Violation) => {
    lines.push(pc.red(`  ${"".padStart(4)}  ✗ ${pc.bold(v.invariant)}: ${v.message}`));
    if (v.cause) lines.push(pc.yellow(`  ${"".padStart(4)}    cause: ${v.cause.text}`));
  };
  const mark = (step: number) => {
    for (const v of input.violations.filter((x) => x.step === step)) show(v);
  };
  mark(0);
  input.choices.forEach((label, i) => {
    const step = i + 1;
    const what = byStep.get(step) ?? [];
    const dot = causal.has(step) ? pc.yellow("●") : " ";
    lines.push(` ${dot}${String(step).padStart(4)}  ${pc.cyan(label.padEnd(width))}  ${pc.dim(what.join(" · "))}`);
    mark(step);
  });
  const last = input.choices.length;
  for (const v of input.violations.filter((x) => x.step > last)) show(v);
  return lines.join("\n");
}
