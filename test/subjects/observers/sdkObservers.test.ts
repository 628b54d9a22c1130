import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpencodeClient } from "@opencode-ai/sdk/v2/client";
import { describe, expect, it } from "vitest";
import { ObserversMap } from "../../../src/subjects/observers/index.ts";
import type { RunObserver } from "../../../src/subjects/observers/RunObserver.ts";
import { cli } from "../../support/cli.ts";
import { exploreBuiltin } from "../../support/exploreBuiltin.ts";

const verdict = exploreBuiltin;

describe("the run command's observers, written over the real @opencode-ai/sdk v2 client", () => {
  for (const transport of ["inproc", "http"] as const) {
    it(`${transport}: main-idle and busy-set exit while upstream's background child is busy; fixed on fixed passes`, async () => {
      // upstream also loses the child's result (child-result-answered): the observers' exits are judged alone.
      expect((await verdict("background-child-run", "upstream", "main-idle", transport, 2000, "no-exit-while-child-busy")).invariants).toContain("no-exit-while-child-busy");
      expect((await verdict("background-child-run", "upstream", "busy-set", transport, 2000, "no-exit-while-child-busy")).invariants).toContain("no-exit-while-child-busy");
      const fixed = await verdict("background-child-run", "fixed", "fixed", transport, 300);
      expect(fixed.invariants).toEqual([]);
      expect(fixed.result.schedulesRun).toBe(300);
    });
  }

  it("gets an SDK client, whose requests the run's boundary traces: the prompt as run1, events at run.sse points", async () => {
    const clients: unknown[] = [];
    const spying: RunObserver = { ...ObserversMap["main-idle"], run: (ctx) => (clients.push(ctx.client), ObserversMap["main-idle"].run(ctx)) };
    const { result } = await verdict("background-child-run", "upstream", spying, "http", 50);
    expect(clients.length).toBeGreaterThan(0);
    expect(clients.every((c) => c instanceof OpencodeClient)).toBe(true);
    const failure = result.failures[0]!;
    expect(failure.result.trace).toContainEqual(expect.objectContaining({ type: "client.call", client: "run", request: "run1", action: "prompt", sessionID: "main" }));
    expect(failure.result.choices).toContain("run.sse server.connected");
    expect(failure.result.choices.some((c) => /^run\.sse status main busy$/.test(c))).toBe(true);
  });
});

describe("--observer ./my-run.ts: the run command from a user's module", () => {
  it("the README's busy-set file is caught on upstream; the tracked file passes on fixed (http)", async () => {
    expect((await verdict("background-child-run", "upstream", "./examples/observers/busy-set-run.ts", "http", 1000)).invariants).toContain("no-exit-while-child-busy");
    expect((await verdict("background-child-run", "fixed", "./examples/observers/tracked-run.ts", "http", 1000)).invariants).toEqual([]);
  });

  it("replays a failure it found, loading the module again from the schedule file", async () => {
    const out = mkdtempSync(join(tmpdir(), "racelab-observer-"));
    const found = await cli("explore", "background-child-run", "--runner", "upstream", "--observer", "./examples/observers/busy-set-run.ts", "--transport", "http", "--seed", "1", "--no-shrink", "--out", out);
    expect(found.code).toBe(1);
    const file = /Reproduce:\s+npx racelab replay (\S+)/.exec(found.out)![1]!;
    expect(file).toMatch(/background-child-run--upstream\+examples_observers_busy-set-run\.ts\+http--/);
    const again = await cli("replay", file);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/reproduced: .*no-exit-while-child-busy/);
  });

  const bad = (name: string, text: string) => {
    const dir = mkdtempSync(join(tmpdir(), "racelab-observer-bad-"));
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const cases: [string, () => string, RegExp][] = [
    ["a missing file", () => "./nope/run.ts", /observer module '\.\/nope\/run\.ts' not found \(looked at .*\); pass a path to a \.ts or \.js file, or a built-in observer name/],
    ["a module without an observer", () => bad("none.mjs", "export const x = 1;\n"), /is not a run command observer: it exports x; an observer module default-exports a RunObserver/],
    ["a syntax error", () => bad("broken.ts", "export default {\n  run(ctx) { return ctx. }\n};\n"), /observer module '.*broken\.ts' failed to load: .*broken\.ts:2:\d+: /],
    ["an unknown built-in name", () => "main-idel", /unknown observer 'main-idel'; use one of: main-idle, busy-set, fixed, or a path to an observer module/],
  ];
  for (const [what, spec, message] of cases) {
    it(`${what} is one line, exit 2`, async () => {
      const r = await cli("explore", "background-child-run", "--runner", "fixed", "--observer", spec(), "--runs", "5");
      expect(r.code).toBe(2);
      expect(r.err.split("\n")).toHaveLength(1);
      expect(r.err).toMatch(message);
    });
  }
});
