import { describe, expect, it } from "vitest";
import { Interrupted } from "../../../src/boundaries/port.ts";
import { quiescence, VirtualScheduler } from "../../../src/harness/scheduler/VirtualScheduler.ts";

describe("VirtualScheduler", () => {
  it("holds every point until it is released, and lists the ready set in creation order", async () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    void s.point("a").then(() => log.push("a"));
    void s.point("b").then(() => log.push("b"));
    await quiescence();
    expect(log).toEqual([]);
    expect(s.ready().map((p) => p.label)).toEqual(["a", "b"]);
    s.release("b");
    await quiescence();
    expect(log).toEqual(["b"]);
    expect(s.ready().map((p) => p.label)).toEqual(["a"]);
  });

  it("reaches exact quiescence: a long microtask chain after a release has fully run", async () => {
    const s = new VirtualScheduler();
    let depth = 0;
    void (async () => {
      await s.point("start");
      for (let i = 0; i < 10_000; i++) {
        await Promise.resolve();
        depth += 1;
      }
      await s.point("next");
    })();
    await quiescence();
    s.release("start");
    await quiescence();
    expect(depth).toBe(10_000);
    expect(s.ready().map((p) => p.label)).toEqual(["next"]);
  });

  it("gives duplicate labels a stable suffix so every ready point is addressable", () => {
    const s = new VirtualScheduler();
    void s.point("x");
    void s.point("x");
    void s.point("x");
    expect(s.ready().map((p) => p.label)).toEqual(["x", "x (2)", "x (3)"]);
  });

  it("rejects a waiting point with Interrupted when its signal aborts, and drops it from the ready set", async () => {
    const s = new VirtualScheduler();
    const abort = new AbortController();
    const p = s.point("wait", { signal: abort.signal });
    abort.abort();
    await expect(p).rejects.toBeInstanceOf(Interrupted);
    expect(s.size).toBe(0);
    await expect(s.point("late", { signal: abort.signal })).rejects.toBeInstanceOf(Interrupted);
  });

  it("refuses to release a point that is not ready", () => {
    expect(() => new VirtualScheduler().release("ghost")).toThrow(/no ready point 'ghost'/);
  });
});
