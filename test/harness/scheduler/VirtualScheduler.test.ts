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

  it("registers one abort listener per signal, and interrupts only the points still waiting, in creation order", async () => {
    const interrupted: string[] = [];
    const s = new VirtualScheduler((label) => interrupted.push(label));
    const abort = new AbortController();
    let listeners = 0;
    const add = abort.signal.addEventListener.bind(abort.signal);
    abort.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners += 1;
      add(...args);
    }) as typeof add;
    const outcome = (p: Promise<void>) => p.then(() => "released", (e: unknown) => (e instanceof Interrupted ? `interrupted ${e.label}` : "other"));
    const a = outcome(s.point("a: one", { signal: abort.signal }));
    const b = outcome(s.point("a: two", { signal: abort.signal }));
    const c = outcome(s.point("a: one", { signal: abort.signal }));
    s.release("a: two");
    abort.abort();
    expect(await Promise.all([a, b, c])).toEqual(["interrupted a: one", "released", "interrupted a: one"]);
    expect(interrupted).toEqual(["a: one", "a: one (2)"]);
    expect(listeners).toBe(1);
    expect(s.size).toBe(0);
  });

  it("takes its listeners off the signals on dispose: an abort after the run touches nothing", async () => {
    const interrupted: string[] = [];
    const s = new VirtualScheduler((label) => interrupted.push(label));
    const abort = new AbortController();
    void s.point("p", { signal: abort.signal }).catch(() => {});
    s.dispose();
    abort.abort();
    await quiescence();
    expect(interrupted).toEqual([]);
    expect(s.ready().map((p) => p.label)).toEqual(["p"]);
  });

  it("refuses to release a point that is not ready", () => {
    expect(() => new VirtualScheduler().release("ghost")).toThrow(/no ready point 'ghost'/);
  });
});
