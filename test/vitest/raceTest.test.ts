import { describe, expect, it } from "vitest";
// Imported by package name, as a project's own suite would (package.json "exports": "./vitest").
import { checkRace, raceTest } from "racelab/vitest";
import { createSessionRunner } from "../../src/subjects/runner/createSessionRunner.ts";
import { fixedDesign } from "../../src/subjects/runner/variants/fixed.ts";

describe("raceTest", () => {
  raceTest("prompt_async on an idle session is answered (fixed, seed 1)", { scenario: "idle-prompt-async", runner: "fixed", runs: 500 });
  raceTest("a background child keeps the run alive (fixed + fixed observer)", { scenario: "background-child-run", runner: "fixed", observer: "fixed", runs: 300 });
  raceTest("upstream's lost wake-up stays caught", { scenario: "idle-prompt-async", runner: "upstream", expect: ["every-message-answered"], runs: 2000 });

  it("fails on upstream with the invariant and the replay command", async () => {
    const error = await checkRace({ scenario: "idle-prompt-async", runner: "upstream", runs: 2000 }).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/every-message-answered: message msg_\d+ .* was never answered/);
    expect(error!.message).toMatch(/Reproduce: npx racelab replay reports\/failures\/idle-prompt-async--upstream--every-message-answered--seed1-run\d+\.json/);
  });

  it("catches a RunnerVariant object whose pending flag is never set, and passes the fixed one", async () => {
    const noPending = { name: "fixed-no-pending", description: "", create: (port: Parameters<typeof createSessionRunner>[0]) => createSessionRunner(port, { ...fixedDesign, pendingRestart: false }) };
    await expect(checkRace({ scenario: "idle-prompt-async", runner: noPending, runs: 2000 })).rejects.toThrow(/every-message-answered/);
    await expect(checkRace({ scenario: "idle-prompt-async", runner: "fixed", runs: 2000 })).resolves.toBeUndefined();
  });

  it("fails when another invariant fails before every expected one has (upstream idle-prompt-async, seed 1)", async () => {
    await expect(checkRace({ scenario: "idle-prompt-async", runner: "upstream", expect: ["prompt-gets-own-reply"], runs: 2000 })).rejects.toThrow(/every-message-answered failed too, which the test does not expect/);
  });

  it("fails a row that expects a bug the runner does not have", async () => {
    await expect(checkRace({ scenario: "idle-prompt-async", runner: "fixed", expect: ["every-message-answered"], runs: 300 })).rejects.toThrow(/expected every-message-answered to fail, but 300 schedules did not violate it/);
  });
});
