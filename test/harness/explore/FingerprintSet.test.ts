import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FingerprintSet } from "../../../src/harness/explore/FingerprintSet.ts";
import { hash53 } from "../../../src/harness/explore/fingerprint.ts";

/** Fingerprints as the explorer makes them, plus the edges of the range and values that collide in the low bits. */
const fingerprint = fc.oneof(
  fc.string().map(hash53),
  fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER, 2 ** 32, 2 ** 32 + 1, 2 ** 52),
  fc.integer({ min: 0, max: 40 }).map((k) => k * 2 ** 32),
  fc.integer({ min: 0, max: 2000 }),
);

describe("FingerprintSet", () => {
  it("holds exactly what a Set<number> holds, through growth", () => {
    fc.assert(
      fc.property(fc.array(fingerprint, { maxLength: 3000, size: "max" }), fc.array(fingerprint, { maxLength: 50 }), (added, probed) => {
        const set = new FingerprintSet();
        const reference = new Set<number>();
        for (const f of added) expect(set.add(f)).toBe(!reference.has(f) && reference.add(f) !== undefined);
        expect(set.size).toBe(reference.size);
        for (const f of [...added, ...probed]) expect(set.has(f)).toBe(reference.has(f));
        expect([...set.values()].sort((a, b) => a - b)).toEqual([...reference].sort((a, b) => a - b));
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it("keeps every value, 0 and the largest among them, across many growths", () => {
    const set = new FingerprintSet();
    const values = [0, Number.MAX_SAFE_INTEGER, ...Array.from({ length: 20_000 }, (_, i) => hash53(`schedule ${i}`))];
    for (const v of values) set.add(v);
    expect(set.size).toBe(new Set(values).size);
    expect(values.every((v) => set.has(v))).toBe(true);
    expect(set.has(12345)).toBe(false);
  });

  it("refuses what is not a fingerprint rather than storing it wrongly", () => {
    const set = new FingerprintSet();
    for (const bad of [-1, 0.5, Number.NaN, 2 ** 53]) expect(() => set.add(bad)).toThrow(/non-negative safe integer/);
    expect(set.size).toBe(0);
  });
});
