import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { independent, keysOverlap, type Footprint } from "../../../src/harness/scheduler/Footprint.ts";

const fp = (reads: string[], writes: string[], global = false): Footprint => ({ reads: new Set(reads), writes: new Set(writes), global });

/** The definition, over key names: neither writes what the other reads or writes. */
function reference(a: Footprint, b: Footprint): boolean {
  if (a.global || b.global) return false;
  const meets = (xs: Set<string>, ys: Set<string>) => [...xs].some((x) => [...ys].some((y) => keysOverlap(x, y)));
  return !meets(a.writes, b.writes) && !meets(a.writes, b.reads) && !meets(b.writes, a.reads);
}

/** Keys in the runners' shape: a kind, maybe a session, maybe a path below it. */
const key = fc
  .tuple(fc.constantFrom("store", "status", "runner", "x"), fc.option(fc.constantFrom("s1", "s2", "s1/msg_1", "s1/msg_2", "s10"), { nil: undefined }))
  .map(([kind, rest]) => (rest === undefined ? kind : `${kind}:${rest}`));
const footprint = fc.record({ reads: fc.uniqueArray(key, { maxLength: 4 }), writes: fc.uniqueArray(key, { maxLength: 4 }), global: fc.constantFrom(false, false, false, true) });

describe("keysOverlap", () => {
  it("a key covers the paths below it, and a bare kind covers every key of that kind", () => {
    expect(keysOverlap("store:s1", "store:s1/msg_3")).toBe(true);
    expect(keysOverlap("store:s1/msg_3", "store:s1")).toBe(true);
    expect(keysOverlap("status", "status:s1")).toBe(true);
    expect(keysOverlap("store:s1", "store:s10")).toBe(false);
    expect(keysOverlap("store:s1", "store:s1:x")).toBe(false);
    expect(keysOverlap("status", "statusbar")).toBe(false);
    expect(keysOverlap("x", "x")).toBe(true);
  });
});

describe("independent (interned keys)", () => {
  it("answers as the definition over key names does, for any pair of footprints", () => {
    fc.assert(
      fc.property(footprint, footprint, (x, y) => {
        const a = fp(x.reads, x.writes, x.global);
        const b = fp(y.reads, y.writes, y.global);
        expect(independent(a, b)).toBe(reference(a, b));
        expect(independent(b, a)).toBe(reference(a, b));
      }),
    );
  });

  it("sees keys added to a footprint after it was first compared", () => {
    const a = fp(["store:s1"], []);
    const b = fp([], ["store:s2"]);
    expect(independent(a, b)).toBe(true);
    a.reads.add("store:s2/msg_1");
    expect(independent(a, b)).toBe(false);
  });

  it("stays right when the interner starts over, and for footprints too large to intern", () => {
    const a = fp(["store:s1/msg_1"], []);
    const b = fp([], ["store:s1"]);
    expect(independent(a, b)).toBe(false);
    // Thousands of fresh keys force new epochs; the footprints interned before are interned again.
    for (let n = 0; n < 3000; n++) expect(independent(fp([`k:${n}`], []), fp([], [`k:${n}/p`]))).toBe(false);
    expect(independent(a, b)).toBe(false);
    expect(independent(a, fp([], ["store:s2"]))).toBe(true);
    const huge = fp(Array.from({ length: 2000 }, (_, n) => `h:${n}`), []);
    expect(independent(huge, fp([], ["h:1999"]))).toBe(false);
    expect(independent(huge, fp([], ["h:2000"]))).toBe(true);
  });
});
