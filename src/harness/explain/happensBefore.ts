import { keysOverlap } from "../scheduler/Footprint.ts";
import type { CauseLink } from "./Cause.ts";
import type { RunStep } from "./RunStep.ts";

/** One conflicting access between two steps: the key (of the earlier step) and who wrote. */
export interface Conflict {
  readonly key: string;
  /** `r>w`: the earlier step read, the later wrote; `w>r`, `w>w` alike. */
  readonly dir: "r>w" | "w>r" | "w>w";
}

/**
 * Where two steps' footprints conflict: the keys one wrote that the other read or wrote
 * (keys are paths: `store:s1` covers `store:s1/msg_3`). Empty when they commute. Global
 * steps are left to the caller.
 */
export function conflicts(earlier: RunStep, later: RunStep): Conflict[] {
  const out: Conflict[] = [];
  const seen = new Set<string>();
  const add = (key: string, dir: Conflict["dir"]) => {
    const id = `${key} ${dir}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ key, dir });
  };
  for (const w of earlier.writes) {
    for (const r of later.reads) if (keysOverlap(w, r)) add(w, "w>r");
    for (const x of later.writes) if (keysOverlap(w, x)) add(w, "w>w");
  }
  for (const r of earlier.reads) for (const w of later.writes) if (keysOverlap(r, w)) add(r, "r>w");
  return out;
}

/**
 * The happens-before relation of one run (Lamport, "Time, Clocks, and the Ordering of Events
 * in a Distributed System", CACM 1978), over its released steps. Step a happens before step
 * b (a < b) when a chain of direct edges leads from a to b; the direct edges are
 * - program order: the previous step of the same actor;
 * - creation: the step during which b's point was created (its continuation cannot run before);
 * - conflict: an earlier step whose footprint conflicts with b's (Mazurkiewicz's dependence
 *   relation, as partial-order reduction uses it: Godefroid, LNCS 1032, 1996), a global step
 *   conflicting with every step.
 * Two steps not so ordered are concurrent: the run could have had them either way round with
 * the same outcome. Computed once with vector clocks over actors (Fidge 1988, Mattern 1989):
 * per key, the join of the clocks of the steps that read it and of those that wrote it.
 */
export class HappensBefore {
  private readonly actorIndex = new Map<string, number>();
  /** clocks[i]: for each actor, the latest of its steps that happens before (or is) step i + 1. */
  private readonly clocks: Int32Array[] = [];

  constructor(private readonly steps: readonly RunStep[]) {
    for (const s of steps) if (!this.actorIndex.has(s.actor)) this.actorIndex.set(s.actor, this.actorIndex.size);
    const width = this.actorIndex.size;
    const readClock = new Map<string, Int32Array>();
    const writeClock = new Map<string, Int32Array>();
    const all = new Int32Array(width);
    const globals = new Int32Array(width);
    const lastOf = new Map<string, number>();
    for (const s of steps) {
      const vc = new Int32Array(width);
      const prev = lastOf.get(s.actor);
      if (prev !== undefined) join(vc, this.clocks[prev - 1]!);
      if (s.born >= 1 && s.born < s.step) join(vc, this.clocks[s.born - 1]!);
      join(vc, globals);
      if (s.global) join(vc, all);
      else {
        for (const r of s.reads) for (const [k, c] of writeClock) if (keysOverlap(k, r)) join(vc, c);
        for (const w of s.writes) {
          for (const [k, c] of writeClock) if (keysOverlap(k, w)) join(vc, c);
          for (const [k, c] of readClock) if (keysOverlap(k, w)) join(vc, c);
        }
      }
      vc[this.actorIndex.get(s.actor)!] = s.step;
      this.clocks.push(vc);
      lastOf.set(s.actor, s.step);
      for (const r of s.reads) joinInto(readClock, r, vc, width);
      for (const w of s.writes) joinInto(writeClock, w, vc, width);
      join(all, vc);
      if (s.global) join(globals, vc);
    }
  }

  /** Whether step `a` happens before step `b` (both 1-based). */
  precedes(a: number, b: number): boolean {
    if (a >= b || a < 1 || b > this.steps.length) return false;
    const actor = this.actorIndex.get(this.steps[a - 1]!.actor)!;
    return this.clocks[b - 1]![actor]! >= a;
  }

  /** Why `b` comes after `a` (a < b): the most direct reason there is. */
  link(a: number, b: number): CauseLink {
    const x = this.steps[a - 1];
    const y = this.steps[b - 1];
    if (!x || !y) return { kind: "order" };
    if (y.born === a) return { kind: "origin" };
    if (x.actor === y.actor) return { kind: "program" };
    const found = conflicts(x, y);
    if (found.length > 0) return { kind: "conflict", keys: found.map((c) => `${c.key} ${c.dir}`) };
    if (x.global || y.global) return { kind: "global" };
    return { kind: this.precedes(a, b) ? "order" : "concurrent" };
  }

  /**
   * The latest step before step `before` that `accept`s and whose footprint conflicts with
   * that step's by key, `only` in that direction (global steps conflict with everything and
   * say nothing): the last thing an actor did that the step is ordered after, or overwrote.
   */
  latestConflict(before: number, accept: (s: RunStep) => boolean, only?: Conflict["dir"]): { step: RunStep; conflict: Conflict } | undefined {
    const target = this.steps[before - 1];
    if (!target) return undefined;
    for (let i = before - 1; i >= 1; i--) {
      const s = this.steps[i - 1]!;
      if (!accept(s)) continue;
      const found = conflicts(s, target).filter((c) => only === undefined || c.dir === only);
      if (found.length > 0) return { step: s, conflict: found[0]! };
    }
    return undefined;
  }
}

function join(into: Int32Array, from: Int32Array): void {
  for (let i = 0; i < into.length; i++) if (from[i]! > into[i]!) into[i] = from[i]!;
}

function joinInto(map: Map<string, Int32Array>, key: string, vc: Int32Array, width: number): void {
  let c = map.get(key);
  if (!c) {
    c = new Int32Array(width);
    map.set(key, c);
  }
  join(c, vc);
}
