import { describe, expect, it } from "vitest";
import { describeRound, trailingCycle } from "../../../src/harness/explain/cycle.ts";

describe("trailingCycle", () => {
  it("finds the actor that repeats a round at the end, its round and the stretch it covers", () => {
    const labels = ["a: prompt s1", "a1 write user info", "c1.job inject", ...Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? "c1.job check parent" : "c1.job sleep 300ms"))];
    const cycle = trailingCycle(labels)!;
    expect(cycle).toEqual({ actor: "c1.job", labels: ["c1.job check parent", "c1.job sleep 300ms"], from: 4, to: 13, rounds: 5 });
    expect(describeRound(cycle)).toBe("[check parent -> sleep 300ms]");
  });

  it("finds a loop whose actor is renumbered each round, with numbers abstracted", () => {
    const round = (k: number) => [`s1.run${k} fork start`, `s1.run${k} publish busy`, `s1.run${k} read last assistant`];
    const cycle = trailingCycle(["a: prompt s1", ...round(1), ...round(2), ...round(3), ...round(4)])!;
    expect(cycle.labels).toEqual(round(4));
    expect(cycle.actor).toBe("s1.run4");
    expect(cycle.rounds).toBe(4);
    expect(cycle.from).toBe(2);
  });

  it("finds nothing when no round repeats three times", () => {
    expect(trailingCycle(["a x", "b y", "a z", "b w", "a x", "b y"])).toBeUndefined();
    expect(trailingCycle([])).toBeUndefined();
  });
});
