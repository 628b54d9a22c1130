import { describe, expect, it } from "vitest";
import { stampEvent } from "../../../src/harness/explore/stampEvent.ts";
import type { AnyEvent } from "../../../src/harness/trace.ts";

/** What the trace held before: a spread. */
const spread = (e: object, step: number) => ({ ...e, step });

describe("stampEvent: the trace's copy of an event, stamped with its step", () => {
  it("is the spread's copy, keys in the same order, for every shape of a type, seen once or many times", () => {
    const shapes: Record<string, unknown>[] = [
      { type: "runner.state", sessionID: "s1", runner: "r1", state: "idle" },
      { type: "runner.state", sessionID: "s1", runner: "r1", state: "running", runID: "s1.run1" },
      { runner: "r1", type: "runner.state", sessionID: "s1", state: "idle" },
      { type: "status", sessionID: "s2", status: "busy", step: 99 },
      { type: "status", step: 5, sessionID: "s2", status: "idle" },
      { type: "message", message: { id: "m1", sessionID: "s1", role: "user", parts: 2 } },
      { type: "wait.end", waiter: "a1", 7: "numeric key" },
    ];
    for (let round = 0; round < 3; round++) {
      for (const [i, e] of shapes.entries()) {
        const got = stampEvent(e as unknown as AnyEvent, round * 10 + i);
        const want = spread(e, round * 10 + i);
        expect(got).toEqual(want);
        expect(Object.keys(got)).toEqual(Object.keys(want));
        expect(got).not.toBe(e);
      }
    }
  });

  it("copies: changing the event afterwards leaves the trace as it was", () => {
    const e = { type: "idle", sessionID: "s1" };
    const first = stampEvent(e as AnyEvent, 1);
    e.sessionID = "s2";
    const second = stampEvent(e as AnyEvent, 2);
    expect(first).toEqual({ type: "idle", sessionID: "s1", step: 1 });
    expect(second).toEqual({ type: "idle", sessionID: "s2", step: 2 });
  });

  it("copies own properties only, also for objects that are not plain, and past the shapes it keeps per type", () => {
    class Ev {
      type = "job.end";
      job = "j";
      parentID = "p";
      outcome = "done";
    }
    expect(stampEvent(new Ev() as unknown as AnyEvent, 3)).toEqual({ type: "job.end", job: "j", parentID: "p", outcome: "done", step: 3 });
    const proto = { inherited: "no" };
    const derived = Object.assign(Object.create(proto) as object, { type: "idle", sessionID: "s" });
    expect(stampEvent(derived as AnyEvent, 4)).toEqual({ type: "idle", sessionID: "s", step: 4 });
    for (let n = 0; n < 20; n++) {
      const e = { type: "many-shapes", [`k${n}`]: n };
      expect(stampEvent(e as unknown as AnyEvent, n)).toEqual(spread(e, n));
    }
  });

  it("leaves symbol-keyed properties out (a JSON trace cannot hold them) and keeps a '__proto__' key as data", () => {
    const tag = Symbol("tag");
    expect(stampEvent({ type: "idle", sessionID: "s", [tag]: 1 } as unknown as AnyEvent, 1)).toEqual({ type: "idle", sessionID: "s", step: 1 });
    const odd = JSON.parse('{"type":"idle","__proto__":{"x":1}}') as object;
    const got = stampEvent(odd as AnyEvent, 2);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(JSON.stringify(got)).toBe(JSON.stringify(spread(odd, 2)));
  });
});
