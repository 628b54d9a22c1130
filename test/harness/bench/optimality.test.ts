import { describe, expect, it } from "vitest";
import { foataKey, optimality } from "../../../src/harness/bench/optimality.ts";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import type { Footprint } from "../../../src/harness/scheduler/Footprint.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";

const fp = (reads: string[], writes: string[]): Footprint => ({ reads: new Set(reads), writes: new Set(writes), global: false });

describe("foataKey: one name per equivalence class", () => {
  const a = fp([], ["store:s1"]);
  const b = fp([], ["store:s2"]);
  const c = fp(["store:s1"], []);

  it("is the same for two orders of independent steps", () => {
    expect(foataKey(["a", "b"], [-1, -1], [a, b])).toBe(foataKey(["b", "a"], [-1, -1], [b, a]));
  });

  it("differs for two orders of dependent steps", () => {
    expect(foataKey(["a", "c"], [-1, -1], [a, c])).not.toBe(foataKey(["c", "a"], [-1, -1], [c, a]));
  });

  it("orders a step after the step that created its point, footprints aside", () => {
    // b then a, where a's point was created by b: not the class of a and b side by side.
    expect(foataKey(["b", "a"], [-1, 0], [b, a])).not.toBe(foataKey(["b", "a"], [-1, -1], [b, a]));
  });

  it("treats a step without a footprint as depending on everything", () => {
    expect(foataKey(["a", "b"], [-1, -1], [a, undefined])).not.toBe(foataKey(["b", "a"], [-1, -1], [undefined, a]));
  });
});

describe("optimality", () => {
  it("plain and reduced DFS find the same classes; the reduced search runs far fewer schedules per class", async () => {
    const scenario = ScenariosMap["idle-prompt-async"];
    const plain = await optimality(scenario, RunnersMap.fixed, 1, 10_000, false);
    const reduced = await optimality(scenario, RunnersMap.fixed, 1, 10_000, true);
    expect(plain.complete && reduced.complete).toBe(true);
    expect(reduced.classes).toBe(plain.classes);
    expect(plain.classes).toBeGreaterThan(10);
    expect(plain.schedules).toBeGreaterThan(5 * plain.classes);
    expect(reduced.ratio).toBeLessThan(plain.ratio / 5);
    expect(reduced.classes).toBeLessThanOrEqual(reduced.schedules - reduced.abandoned);
  });
});
