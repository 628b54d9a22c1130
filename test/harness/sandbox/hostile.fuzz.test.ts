import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";
import { HOSTILE, withLocalServer, outDir } from "./hostile.ts";

// `fuzz` on hostile runner modules: the named finding (or load error) in bounded time, with the
// same watchdog budgets as explore; never "0 schedules/s" forever, never exit 70.
const CAMPAIGN: Record<string, readonly string[]> = {
  spin: ["--scenarios", "1", "--budget", "5"],
  memory: ["--scenarios", "1", "--budget", "5"],
  "math-random": ["--scenarios", "2", "--budget", "20"],
  "real-timeout": ["--scenarios", "1", "--budget", "5"],
  "fetch-local": ["--scenarios", "1", "--budget", "5"],
  "flaky-random": ["--scenarios", "10", "--budget", "100"],
  "module-state": ["--scenarios", "6", "--budget", "50"],
  "throwing-create": ["--scenarios", "1", "--budget", "5"],
  "malformed-event": ["--scenarios", "1", "--budget", "5"],
  "syntax-error": ["--scenarios", "1", "--budget", "5"],
};

describe("fuzz on hostile runner modules", () => {
  withLocalServer();

  for (const [name, campaign] of Object.entries(CAMPAIGN)) {
    const h = HOSTILE[name]!;
    it(`${name}: exit ${h.code}${h.finding ? `, ${h.finding.source}` : ""}`, async () => {
      const r = await cli("fuzz", "--runner", h.file, ...campaign, "--workers", "1", "--out", outDir(), ...h.flags);
      expect(r.err).not.toMatch(/internal error/);
      expect(r.code).toBe(h.code);
      if (h.code === 1) expect(r.out).toMatch(new RegExp(`^✗ .*${h.finding!.source}.* · scenario #\\d+`, "m"));
      if (h.code === 2) {
        expect(r.err.split("\n")).toHaveLength(1);
        expect(r.err).toMatch(h.finding!);
      }
      if (h.code === 0) expect(r.out).toMatch(/✓ no failure in 2 generated scenarios \(40 schedules\)/);
    });
  }
});
