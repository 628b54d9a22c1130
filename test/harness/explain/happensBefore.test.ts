import { describe, expect, it } from "vitest";
import { conflicts, HappensBefore } from "../../../src/harness/explain/happensBefore.ts";
import type { RunStep } from "../../../src/harness/explain/RunStep.ts";
import { independent } from "../../../src/harness/scheduler/Footprint.ts";

/** A step of actor `actor`, made during step `born`, reading and writing the given keys. */
function step(n: number, actor: string, born: number, reads: string[] = [], writes: string[] = [], global = false): RunStep {
  return { step: n, label: `${actor} s${n}`, actor, born, reads, writes, global };
}

/** The happens-before relation by definition: the transitive closure of the direct edges. */
function closure(steps: readonly RunStep[]): boolean[][] {
  const n = steps.length;
  const hb = Array.from({ length: n + 1 }, () => new Array<boolean>(n + 1).fill(false));
  for (const b of steps) {
    for (const a of steps) {
      if (a.step >= b.step) continue;
      const fa = { reads: new Set(a.reads), writes: new Set(a.writes), global: a.global };
      const fb = { reads: new Set(b.reads), writes: new Set(b.writes), global: b.global };
      if (a.actor === b.actor || b.born === a.step || !independent(fa, fb)) hb[a.step]![b.step] = true;
    }
  }
  for (let k = 1; k <= n; k++) for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) if (hb[i]![k] && hb[k]![j]) hb[i]![j] = true;
  return hb;
}

/** A little deterministic generator (no Math.random in racelab). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe("HappensBefore", () => {
  it("orders a write after the read it missed, and the join after it by program order: the lost wake-up", () => {
    const steps = [
      step(1, "s1.run1", 0, ["store:s1"], ["status:s1"]), // the run reads its snapshot
      step(2, "b1", 0, [], ["store:s1/msg_3"]), // b1 stores its message
      step(3, "b1", 2, [], ["runners:s1"]), // b1 joins the run
      step(4, "s1.run1", 1, ["store:s1"], ["runners:s1"]), // the run exits
    ];
    const hb = new HappensBefore(steps);
    expect(hb.precedes(1, 2)).toBe(true);
    expect(hb.precedes(2, 4)).toBe(true);
    expect(hb.precedes(2, 1)).toBe(false);
    expect(hb.link(1, 2)).toEqual({ kind: "conflict", keys: ["store:s1 r>w"] });
    expect(hb.link(2, 3)).toEqual({ kind: "origin" });
    expect(hb.link(3, 4)).toEqual({ kind: "conflict", keys: ["runners:s1 w>w"] });
    expect(hb.latestConflict(2, (s) => s.actor === "s1.run1")?.step.step).toBe(1);
    expect(hb.latestConflict(4, (s) => s.actor === "b1", "w>r")?.step.step).toBe(2);
  });

  it("leaves steps of different actors that touch unrelated state concurrent, and a global step orders everything", () => {
    const steps = [step(1, "a", 0, ["store:s1"]), step(2, "b", 0, ["store:s2"], ["status:s2"]), step(3, "c", 0, [], [], true), step(4, "a", 1, ["x"])];
    const hb = new HappensBefore(steps);
    expect(hb.precedes(1, 2)).toBe(false);
    expect(hb.link(1, 2)).toEqual({ kind: "concurrent" });
    expect(hb.precedes(1, 3) && hb.precedes(2, 3) && hb.precedes(3, 4)).toBe(true);
    expect(hb.link(2, 3)).toEqual({ kind: "global" });
    expect(hb.link(2, 4)).toEqual({ kind: "order" });
  });

  it("names every conflicting key with who wrote, keys being paths", () => {
    expect(conflicts(step(1, "a", 0, ["store:s1"], ["runners:s1"]), step(2, "b", 0, ["runners:s1"], ["store:s1/msg_1"]))).toEqual([
      { key: "runners:s1", dir: "w>r" },
      { key: "store:s1", dir: "r>w" },
    ]);
    expect(conflicts(step(1, "a", 0, ["store:s1"]), step(2, "b", 0, ["store:s1/msg_1"]))).toEqual([]);
  });

  it("agrees with the transitive closure of program order, creation and conflicts on random runs", () => {
    const keys = ["store:s1", "store:s1/m1", "store:s1/m2", "runners:s1", "status", "status:s1", "x"];
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = lcg(seed);
      const pick = () => keys.filter(() => rnd() < 0.2);
      const steps: RunStep[] = [];
      for (let n = 1; n <= 24; n++) steps.push(step(n, `a${Math.floor(rnd() * 4)}`, Math.floor(rnd() * n), pick(), pick(), rnd() < 0.05));
      const hb = new HappensBefore(steps);
      const want = closure(steps);
      for (let a = 1; a <= 24; a++) for (let b = 1; b <= 24; b++) expect(hb.precedes(a, b), `seed ${seed}: ${a} -> ${b}`).toBe(want[a]![b]!);
    }
  });
});
