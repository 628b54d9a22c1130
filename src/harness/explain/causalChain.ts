import type { Evidence } from "../invariants/Invariant.ts";
import type { TraceEvent } from "../trace.ts";
import type { Cause, CauseLink, CauseStep } from "./Cause.ts";
import { HappensBefore, type Conflict } from "./happensBefore.ts";
import type { RunStep } from "./RunStep.ts";
import { abstractKeys, abstractStep, type Names } from "./shape.ts";

/** What a chain is derived from: the run's steps, its trace, its names and its happens-before. */
export interface ChainContext {
  readonly steps: readonly RunStep[];
  readonly trace: readonly TraceEvent[];
  readonly names: Names;
  readonly hb: HappensBefore;
}

interface Node {
  readonly step: number;
  what: string;
  readonly source: CauseStep["source"];
  /** The signature's name for what the step did (Evidence.as). */
  as?: string;
}

/**
 * Derives a violation's causal chain from the steps its verdict rests on. The named steps
 * come first; then, from the run's happens-before, the steps the invariant asks for: for a
 * step of a race (`race`), the last step of every other actor of the chain that conflicts
 * with it (the read it came too late for, the write it missed: the edge across actors the
 * race turns on); the step that created its point (`origin`); the last write by another
 * actor of what it read (`input`). The chain is every such step in step order, each link labelled
 * with why it follows the one before (see {@link CauseLink}).
 */
export function causalChain(evidence: readonly Evidence[], ctx: ChainContext): Cause | undefined {
  const { steps, hb } = ctx;
  const known = evidence.filter((e) => e.step >= 0 && e.step <= steps.length);
  if (known.length === 0) return undefined;
  const nodes = new Map<number, Node>();
  const roles = new Map<string, string>();
  const actorOfStep = (n: number) => steps[n - 1]?.actor ?? "";
  for (const e of [...known].sort((a, b) => a.step - b.step)) {
    const node = nodes.get(e.step);
    if (node) {
      node.what = `${node.what}; ${e.what}`;
      node.as ??= e.as;
    } else nodes.set(e.step, { step: e.step, what: e.what, source: "evidence", ...(e.as !== undefined && { as: e.as }) });
    if (e.role !== undefined && e.step >= 1 && !roles.has(actorOfStep(e.step))) roles.set(actorOfStep(e.step), e.role);
  }
  const actors = new Set(known.filter((e) => e.step >= 1).map((e) => actorOfStep(e.step)));
  const add = (step: RunStep, what: string, source: CauseStep["source"]) => {
    if (!nodes.has(step.step)) nodes.set(step.step, { step: step.step, what, source });
  };
  /** Origin steps of another actor than the step they made: that actor woke this one. */
  const wakers = new Set<number>();
  for (const e of known) {
    const target = steps[e.step - 1];
    if (!target) continue;
    for (const actor of e.race ? actors : []) {
      if (actor === target.actor) continue;
      const found = hb.latestConflict(e.step, (s) => s.actor === actor);
      // Only news: a step after the chain's last step of that actor before this one.
      const last = Math.max(0, ...[...nodes.keys()].filter((n) => n < e.step && actorOfStep(n) === actor));
      if (found && found.step.step > last) add(found.step, accessPhrase(found.step, found.conflict), "conflict");
    }
    if (e.origin && target.born >= 1 && target.born < target.step) {
      const origin = steps[target.born - 1]!;
      add(origin, originPhrase(origin, ctx.trace), "origin");
      if (origin.actor !== target.actor) wakers.add(origin.step);
    }
    if (e.input) {
      const found = hb.latestConflict(e.step, (s) => s.actor !== target.actor, "w>r");
      if (found) add(found.step, accessPhrase(found.step, found.conflict), "input");
    }
  }
  const ordered = [...nodes.values()].sort((a, b) => a.step - b.step);
  const chain: CauseStep[] = ordered.map((n, i) => {
    const s = steps[n.step - 1];
    const prev = ordered[i - 1];
    const after: CauseLink | undefined = prev === undefined ? undefined : prev.step === 0 ? { kind: "order" } : hb.link(prev.step, n.step);
    return { step: n.step, actor: s?.actor ?? "", label: s?.label ?? "(before the first step)", what: n.what, source: n.source, ...(after && { after }) };
  });
  const named = new Map(ordered.flatMap((n) => (n.as !== undefined ? [[n.step, n.as] as const] : [])));
  // A step of another actor that made a named step's point woke that actor (it interrupted a
  // wait, or resolved what the actor awaited): the race is that it was woken from outside,
  // whoever woke it and how (a client's cancel, a dispose, a child's return).
  const abstract = (c: CauseStep) =>
    c.step === 0 ? "start" : wakers.has(c.step) && !named.has(c.step) && c.source === "origin" ? "wake" : abstractStep(c, roles.get(c.actor), ctx.names, named.get(c.step));
  const race: string[] = [];
  for (let i = 1; i < chain.length; i++) {
    const [a, b] = [chain[i - 1]!, chain[i]!];
    if (a.actor === b.actor || !b.after) continue;
    if (b.after.kind === "origin") race.push(`${abstract(a)} -origin-> ${abstract(b)}`);
    else if (b.after.kind === "conflict") race.push(`${abstract(a)} -${abstractKeys(b.after.keys ?? [])}-> ${abstract(b)}`);
  }
  return { steps: chain, text: chainText(chain), race, shape: chain.map(abstract) };
}

/** The chain in one line: ordered links as `->`, a link between concurrent steps as `;`. */
export function chainText(chain: readonly CauseStep[]): string {
  return chain.map((c, i) => `${i === 0 ? "" : c.after?.kind === "concurrent" ? " ; " : " -> "}${c.what} at ${c.step}`).join("");
}

/** What an actor's step did to the state a chain step conflicts with: `s1.run1 read store:s1 ("publish busy")`. */
function accessPhrase(step: RunStep, conflict: Conflict): string {
  const verb = conflict.dir === "r>w" ? "read" : "wrote";
  return `${step.actor} ${verb} ${conflict.key} ("${actionPart(step.label)}")`;
}

/** The step that created a point: its label, and what it did that matters (an LLM reply, an interrupt). */
function originPhrase(step: RunStep, trace: readonly TraceEvent[]): string {
  const llm = trace.find((e) => e.step === step.step && e.type === "llm.call");
  if (llm?.type === "llm.call") return `${llm.runID}'s LLM step replied ${llm.reply}`;
  return `"${step.label}"${step.interrupted ? " interrupted a wait" : ""}`;
}

/** A label without its actor: `"s1.run1 publish busy"` -> `publish busy`. */
function actionPart(label: string): string {
  const space = label.indexOf(" ");
  return space < 0 ? label : label.slice(space + 1);
}
