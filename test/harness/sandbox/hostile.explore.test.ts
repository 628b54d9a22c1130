import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";
import { HOSTILE, withLocalServer, outDir } from "./hostile.ts";

// Every hostile runner module gives its named finding or load error from `explore`, in bounded
// time, and never exit 70 (a racelab bug) or a hang.
describe("explore on hostile runner modules", () => {
  withLocalServer();

  for (const [name, h] of Object.entries(HOSTILE)) {
    it(`${name}: exit ${h.code}${h.finding ? `, ${h.finding.source}` : ""}`, async () => {
      const r = await cli("explore", "idle-prompt-async", "--runner", h.file, "--runs", "300", "--out", outDir(), ...h.flags);
      expect(r.err).not.toMatch(/internal error/);
      expect(r.code).toBe(h.code);
      if (h.code === 1) expect(r.out).toMatch(new RegExp(`✗ .*${h.finding!.source}.* violated in schedule #\\d+`));
      if (h.code === 2) {
        expect(r.err.split("\n")).toHaveLength(1);
        expect(r.err).toMatch(h.finding!);
      }
      if (h.code === 0) expect(r.out).toMatch(/✓ .*no violation in 300 schedules/);
    });
  }

  it("runner-timeout names the actor and the step that never returned", async () => {
    const r = await cli("explore", "idle-prompt-async", "--runner", HOSTILE.spin!.file, "--out", outDir(), ...HOSTILE.spin!.flags);
    expect(r.out).toMatch(/runner-timeout: step \d+ \(a1 [^)]+\) did not return to racelab's scheduler within \d+ ms: a1's code spins/);
  });

  for (const name of ["math-random", "date-now"]) {
    it(`${name}: virtualised, so two explorations print the same traceHash`, async () => {
      const hash = async () => /traceHash ([0-9a-f]{16})/.exec((await cli("explore", "cancel-race", "--runner", HOSTILE[name]!.file, "--runs", "200", "--out", outDir(), ...HOSTILE[name]!.flags)).out)?.[1];
      const first = await hash();
      expect(first).toMatch(/^[0-9a-f]{16}$/);
      expect(await hash()).toBe(first);
    });
  }

  it("a module that takes longer to load than one step may take is not a runner-timeout: loading has its own budget", async () => {
    const r = await cli("explore", "idle-prompt-async", "--runner", "test/fixtures/runners/slow-load.ts", "--runs", "50", "--step-timeout", "200", "--out", outDir());
    expect(r.out).toMatch(/✓ .*no violation in 50 schedules/);
    expect(r.code).toBe(0);
  });

  it("the fixed runner itself passes the same explorations (the findings are the fixtures')", async () => {
    const r = await cli("explore", "idle-prompt-async", "--runner", "fixed", "--runs", "300", "--out", outDir());
    expect(r.code).toBe(0);
  });
});
