import type { Violation } from "../invariants/Invariant.ts";
import type { FailureReport } from "./FailureReport.ts";
import { laneModel, type Lane, type LaneStep } from "./lanes.ts";

/** Steps kept on each side of a violation's step when the middle of a long run is left out. */
const VIOLATION_CONTEXT = 2;

/**
 * A failure's interleaving as a Mermaid `sequenceDiagram` (the text that goes inside a
 * ```mermaid fence, without the fence): one participant per lane, in lane order; a client's
 * (or the run command's) action as a message to the loop of the session it targets (the
 * first `<session>.run<k>` lane that runs after it), every other step as a note over its
 * lane; each violation as a `✗` note over all lanes at its step, followed by a note with its
 * causal chain; the steps of a chain are marked `●` with what they did in it.
 *
 * Runs longer than `maxSteps` keep their first and last steps, every violation's step
 * (with {@link VIOLATION_CONTEXT} steps around it) and every step of a causal chain (when
 * they fit); each left-out stretch becomes one note
 * saying how many steps it holds. Participants are aliased (`participant L1 as s1.run1`)
 * and every text is sanitised for Mermaid's grammar (see {@link text}).
 */
export function mermaidSequence(report: FailureReport, maxSteps = 60): string {
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new RangeError(`mermaidSequence: maxSteps must be a positive integer, got ${maxSteps}`);
  }
  const model = laneModel(report);
  const ids = new Map(model.lanes.map((lane, i) => [lane.name, `L${i + 1}`]));
  const idOf = (lane: string) => ids.get(lane) ?? "L1";
  const first = idOf(model.lanes[0]?.name ?? "");
  const lastID = idOf(model.lanes[model.lanes.length - 1]?.name ?? "");
  const everywhere = first === lastID ? first : `${first},${lastID}`;
  const invariants = [...new Set(report.violations.map((v) => v.invariant))];

  const lines = ["sequenceDiagram"];
  lines.push(`  title ${text(`✗ ${report.scenario.name} · runner ${report.runner}${report.observer ? ` · observer ${report.observer}` : ""}: ${invariants.join(", ")}`)}`);
  for (const lane of model.lanes) lines.push(`  participant ${idOf(lane.name)} as ${text(`${lane.name} (${lane.kind})`)}`);
  if (model.lanes.length === 0) lines.push("  participant L1 as run");
  const violationNote = (v: Violation) =>
    `  Note over ${everywhere}: ${text(`✗ ${v.invariant} at step ${v.step}: ${v.message}`)}${v.cause ? `\n  Note over ${everywhere}: ${text(`cause: ${v.cause.text}`)}` : ""}`;

  if (model.before.events.length > 0) lines.push(`  Note over ${everywhere}: ${text(`before step 1: ${model.before.events.join(" · ")}`)}`);
  for (const v of model.before.violations) lines.push(violationNote(v));

  const kept = keptSteps(model.steps, maxSteps);
  let gap: LaneStep[] = [];
  const flushGap = () => {
    if (gap.length === 0) return;
    const from = gap[0]!.step;
    const to = gap[gap.length - 1]!.step;
    lines.push(`  Note over ${everywhere}: ${text(`… ${gap.length} step${gap.length === 1 ? "" : "s"} left out (${from === to ? `step ${from}` : `steps ${from}–${to}`}) …`)}`);
    gap = [];
  };
  for (const s of model.steps) {
    if (!kept.has(s.step)) {
      gap.push(s);
      continue;
    }
    flushGap();
    const why = s.causes.map((c) => `<br/>${text(`● ${c.position}/${c.of} ${c.invariant}: ${c.what}`)}`).join("");
    const body = `${text(`${s.step}. ${s.causes.length > 0 ? "● " : ""}${s.label}`)}${s.events.length > 0 ? `<br/>${text(s.events.join(" · "))}` : ""}${why}`;
    const target = messageTarget(s, model.lanes, model.steps);
    lines.push(target !== undefined ? `  ${idOf(s.lane)}->>${idOf(target)}: ${body}` : `  Note over ${idOf(s.lane)}: ${body}`);
    for (const v of s.violations) lines.push(violationNote(v));
  }
  flushGap();

  if (model.after.events.length > 0) lines.push(`  Note over ${everywhere}: ${text(`after the last step: ${model.after.events.join(" · ")}`)}`);
  for (const v of model.after.violations) lines.push(violationNote(v));
  return `${lines.join("\n")}\n`;
}

/** Which steps to draw: all when they fit, else the head, the tail and each violation's neighbourhood. */
function keptSteps(steps: readonly LaneStep[], maxSteps: number): Set<number> {
  const n = steps.length;
  const kept = new Set<number>();
  if (n <= maxSteps) {
    for (const s of steps) kept.add(s.step);
    return kept;
  }
  const violated = steps.filter((s) => s.violations.length > 0).map((s) => s.step);
  const near = (radius: number) => {
    const out = new Set<number>();
    for (const v of violated) for (let i = Math.max(1, v - radius); i <= Math.min(n, v + radius); i++) out.add(i);
    return out;
  };
  // The violation steps themselves are always kept, even when they alone exceed maxSteps;
  // then, as they fit, the steps of the causal chains, then the context around violations.
  for (const i of near(0)) kept.add(i);
  const fill = (candidates: Iterable<number>) => {
    for (const i of candidates) if (!kept.has(i) && kept.size < maxSteps) kept.add(i);
  };
  fill(steps.filter((s) => s.causes.length > 0).map((s) => s.step));
  fill([...near(VIOLATION_CONTEXT)].sort((x, y) => x - y));
  const budget = Math.max(0, maxSteps - kept.size);
  const head = Math.ceil(budget / 2);
  const tail = budget - head;
  // Fill from both ends with steps not yet kept, so that the total stays within maxSteps.
  let added = 0;
  for (let i = 1; i <= n && added < head; i++) {
    if (kept.has(i)) continue;
    kept.add(i);
    added += 1;
  }
  added = 0;
  for (let i = n; i >= 1 && added < tail; i--) {
    if (kept.has(i)) continue;
    kept.add(i);
    added += 1;
  }
  return kept;
}

/**
 * The lane a client's or the run command's action is sent to: `a: prompt s1` goes to the
 * loop of session s1 (`s1.run<k>`) that runs first at or after the step, else the last one
 * before it. `undefined` (drawn as a note) for other steps and when s1 never ran a loop.
 */
function messageTarget(s: LaneStep, lanes: readonly Lane[], steps: readonly LaneStep[]): string | undefined {
  const lane = lanes.find((l) => l.name === s.lane);
  if (lane?.kind !== "client" && lane?.kind !== "run") return undefined;
  const m = /^[^\s:]+: \S+ (\S+)$/.exec(s.label);
  if (!m) return undefined;
  const loop = new RegExp(`^${m[1]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.run\\d+$`);
  const loops = steps.filter((x) => loop.test(x.lane));
  const target = loops.find((x) => x.step >= s.step) ?? loops[loops.length - 1];
  return target?.lane;
}

/**
 * Text made safe for a Mermaid line. Mermaid's sequence grammar ends a text at `;`, `#` and a
 * newline, treats `%%` as a comment and `<`/`>` as HTML, and its `style...:...#...;`
 * preprocessing eats a `;` after a colon; so those characters (and `&`, `"`, `:`) become
 * Mermaid entity codes (`#59;`), which Mermaid decodes after parsing, and newlines become spaces.
 */
function text(s: string): string {
  return s.replace(/[\r\n\t]+/g, " ").replace(/[#;<>&"%:]/g, (c) => MERMAID_ENTITIES[c]!);
}

const MERMAID_ENTITIES: Readonly<Record<string, string>> = {
  "#": "#35;",
  ";": "#59;",
  "<": "#lt;",
  ">": "#gt;",
  "&": "#amp;",
  '"': "#quot;",
  "%": "#37;",
  ":": "#58;",
};
