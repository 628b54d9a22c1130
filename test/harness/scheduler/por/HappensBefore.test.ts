import { describe, expect, it } from "vitest";
import { analyseStep, reversalOf, StepSet, type StepFacts } from "../../../../src/harness/scheduler/por/HappensBefore.ts";
import type { Footprint } from "../../../../src/harness/scheduler/Footprint.ts";

const fp = (reads: string[], writes: string[], global = false): Footprint => ({ reads: new Set(reads), writes: new Set(writes), global });

/** Steps with their creators and footprints; `before` filled step by step, as the search does. Returns each step's races. */
function analyse(steps: { born: number; footprint: Footprint }[]): { facts: StepFacts[]; races: number[][] } {
  const facts: StepFacts[] = [];
  const races: number[][] = [];
  steps.forEach((s, j) => {
    facts.push({ born: s.born, footprint: s.footprint, before: new StepSet(j) });
    races.push(analyseStep(facts, j));
  });
  return { facts, races };
}

describe("StepSet", () => {
  it("holds step indexes across word boundaries and unions and meets like a set", () => {
    const a = new StepSet(70);
    for (const i of [0, 31, 32, 69]) a.add(i);
    expect([0, 1, 31, 32, 33, 69].map((i) => a.has(i))).toEqual([true, false, true, true, false, true]);
    const b = new StepSet(40);
    b.add(33);
    expect(a.meets(b)).toBe(false);
    b.add(32);
    expect(a.meets(b)).toBe(true);
    const c = new StepSet(70);
    c.addAll(b);
    expect([c.has(32), c.has(33), c.has(0), c.has(100)]).toEqual([true, true, false, false]);
  });
});

describe("happens-before and races (source-DPOR)", () => {
  it("two writes of one key by unrelated steps race; steps on other keys do not", () => {
    const { facts, races } = analyse([
      { born: -1, footprint: fp([], ["x"]) },
      { born: -1, footprint: fp([], ["y"]) },
      { born: -1, footprint: fp([], ["x"]) },
    ]);
    expect(races).toEqual([[], [], [0]]);
    expect([facts[2]!.before.has(0), facts[2]!.before.has(1)]).toEqual([true, false]);
  });

  it("a step that releases a point another step created comes after it, and that is no race", () => {
    const { facts, races } = analyse([
      { born: -1, footprint: fp([], ["x"]) },
      { born: 0, footprint: fp(["x"], []) },
    ]);
    expect(races).toEqual([[], []]);
    expect(facts[1]!.before.has(0)).toBe(true);
  });

  it("only the nearest conflict races: one ordered through a step between them does not", () => {
    // 0 writes x; 1 reads x and writes y (a race with 0); 2 reads y and writes x: a race with 1,
    // and after 0 through 1, so not a race with 0.
    const { races } = analyse([
      { born: -1, footprint: fp([], ["x"]) },
      { born: -1, footprint: fp(["x"], ["y"]) },
      { born: -1, footprint: fp(["y"], ["x"]) },
    ]);
    expect(races).toEqual([[], [0], [1]]);
    // The same third step created by step 1: after it by program order, so no race at all.
    const created = analyse([
      { born: -1, footprint: fp([], ["x"]) },
      { born: -1, footprint: fp(["x"], ["y"]) },
      { born: 1, footprint: fp(["y"], ["x"]) },
    ]);
    expect(created.races).toEqual([[], [0], []]);
  });

  it("keys are paths: a read of store:s1 conflicts with a write of store:s1/msg_1, not with store:s2", () => {
    const { races } = analyse([
      { born: -1, footprint: fp([], ["store:s1/msg_1"]) },
      { born: -1, footprint: fp([], ["store:s2/msg_2"]) },
      { born: -1, footprint: fp(["store:s1"], []) },
    ]);
    expect(races[2]).toEqual([0]);
  });

  it("a global step conflicts with every earlier step it is not already ordered after", () => {
    const { races } = analyse([
      { born: -1, footprint: fp([], ["x"]) },
      { born: -1, footprint: fp([], ["y"]) },
      { born: -1, footprint: fp([], [], true) },
    ]);
    expect(races[2]).toEqual([1, 0]);
  });

  it("the reversal of a race is the steps between that are not after the first, then the second; its initials are those nothing in it precedes", () => {
    // 0 writes x. 1 writes y (independent of 0). 2 reads y, created by 1. 3 writes x: races with 0.
    const { facts, races } = analyse([
      { born: -1, footprint: fp([], ["x"]) },
      { born: -1, footprint: fp([], ["y"]) },
      { born: 1, footprint: fp(["y"], []) },
      { born: -1, footprint: fp([], ["x"]) },
    ]);
    expect(races[3]).toEqual([0]);
    const { sequence, initials } = reversalOf(facts, 0, 3);
    expect(sequence).toEqual([1, 2, 3]);
    // 2 comes after 1 (its creator): only 1 and 3 can start the reversed order.
    expect(initials).toEqual([1, 3]);
  });

  it("a step after the first of the race is left out of the reversal", () => {
    const { facts } = analyse([
      { born: -1, footprint: fp([], ["x"]) },
      { born: 0, footprint: fp([], ["z"]) },
      { born: -1, footprint: fp([], ["x"]) },
    ]);
    expect(reversalOf(facts, 0, 2)).toEqual({ sequence: [2], initials: [2] });
  });
});
