import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";
import { HOSTILE, withLocalServer, outDir } from "./hostile.ts";

// The findings on hostile runner modules replay and shrink like any other failure: the same
// finding again, in bounded time, never exit 70 or 3.
const REPLAYED = ["spin", "memory", "real-timeout", "fetch-local", "flaky-random", "throwing-create", "malformed-event"] as const;

describe("replay and shrink of findings on hostile runner modules", () => {
  withLocalServer();

  for (const name of REPLAYED) {
    const h = HOSTILE[name]!;
    it(`${name}: replay reproduces ${h.finding!.source}, shrink keeps it`, async () => {
      const dir = outDir();
      const found = await cli("explore", "idle-prompt-async", "--runner", h.file, "--runs", "300", "--no-shrink", "--out", dir, ...h.flags);
      expect(found.code).toBe(1);
      const file = join(dir, readdirSync(dir).find((f) => f.endsWith(".json") && !f.endsWith(".trace.json"))!);

      const replayed = await cli("replay", file, ...h.flags);
      expect(replayed.err).not.toMatch(/internal error|diverged/);
      expect(replayed.code).toBe(1);
      expect(replayed.out).toMatch(new RegExp(`✗ reproduced: .*${h.finding!.source}`));

      const shrunk = await cli("shrink", file, "--out", outDir(), ...h.flags);
      expect(shrunk.err).not.toMatch(/internal error/);
      expect(shrunk.code).toBe(1);
      expect(shrunk.out).toMatch(new RegExp(`Shrunk .* \\(${h.finding!.source} still (happens|fails)\\)`));
      // Candidates run under a shorter budget, but the finding names the one the user set.
      if (name === "spin") expect(shrunk.out).toMatch(/runner-timeout: .*within 1500 ms/);
    });
  }

  it("a runner that keeps state between runs: replay reports nondeterminism or a pass, never a crash", async () => {
    const h = HOSTILE["module-state"]!;
    const dir = outDir();
    expect((await cli("explore", "idle-prompt-async", "--runner", h.file, "--runs", "300", "--out", dir, ...h.flags)).code).toBe(1);
    const file = join(dir, readdirSync(dir).find((f) => f.endsWith(".json") && !f.endsWith(".trace.json"))!);
    const replayed = await cli("replay", file, ...h.flags);
    expect(replayed.err).not.toMatch(/internal error/);
    expect([0, 1]).toContain(replayed.code);
  });
});
