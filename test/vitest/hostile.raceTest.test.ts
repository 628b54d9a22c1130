import { describe, expect, it } from "vitest";
import { checkRace, raceTest } from "racelab/vitest";
import { HOSTILE, withLocalServer, outDir } from "../harness/sandbox/hostile.ts";

// raceTest on hostile runner modules: each fails with its named finding within its own time,
// so a spinning runner fails its test instead of hanging vitest.
const limitsOf = (name: string) => {
  const flags = HOSTILE[name]!.flags;
  const at = (flag: string) => (flags.includes(flag) ? Number(flags[flags.indexOf(flag) + 1]) : undefined);
  const stepTimeout = at("--step-timeout");
  const memoryLimit = at("--memory-limit");
  return { ...(stepTimeout !== undefined && { stepTimeout }), ...(memoryLimit !== undefined && { memoryLimit }) };
};

describe("raceTest on hostile runner modules", () => {
  withLocalServer();

  for (const [name, h] of Object.entries(HOSTILE)) {
    if (h.code !== 1) continue;
    it(`${name}: fails with ${h.finding!.source}`, async () => {
      const failure = await checkRace({ scenario: "idle-prompt-async", runner: h.file, runs: 300, out: outDir(), ...limitsOf(name) }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(failure).toBeInstanceOf(Error);
      expect(failure!.message).toMatch(new RegExp(`violated in schedule #\\d+[^\\n]*\\n(.*\\n)*  ${h.finding!.source}: `));
    });
  }

  it("flaky-random: expect: [every-message-answered] holds, as for any deterministic bug", async () => {
    await expect(checkRace({ scenario: "idle-prompt-async", runner: HOSTILE["flaky-random"]!.file, runs: 300, expect: ["every-message-answered"] })).resolves.toBeUndefined();
  });

  it("syntax-error: one line with file:line:column", async () => {
    await expect(checkRace({ scenario: "idle-prompt-async", runner: HOSTILE["syntax-error"]!.file, runs: 10 })).rejects.toThrow(HOSTILE["syntax-error"]!.finding!);
  });

  // Virtualised sources: a runner that reads Math.random or the clock passes like the fixed one.
  raceTest("math-random passes (Math.random is virtualised)", { scenario: "idle-prompt-async", runner: HOSTILE["math-random"]!.file, runs: 300 });
  raceTest("date-now passes (the clock is virtual)", { scenario: "idle-prompt-async", runner: HOSTILE["date-now"]!.file, runs: 300 });
  raceTest("a spinning runner with timeout 2000 fails its test within it (not a hang past 45 s)", {
    scenario: "idle-prompt-async",
    runner: HOSTILE.spin!.file,
    runs: 300,
    stepTimeout: 1000,
    expect: ["runner-timeout"],
    timeout: 20_000,
  });
});
