import { describe, expect, it } from "vitest";
// Imported by package name, as a project's own suite would; paths are relative to the working directory.
import { checkRace, raceTest } from "racelab/vitest";

describe("raceTest on a scenario file", () => {
  raceTest("the example JSON scenario passes on fixed", { scenario: "./examples/scenarios/my-idle-prompt-async.json", runner: "fixed", runs: 300 });
  raceTest("the example TS scenario's lost wake-up stays caught on upstream", { scenario: "./examples/scenarios/review-during-tool-turn.ts", runner: "upstream", expect: ["every-message-answered", "prompt-gets-own-reply", "runner-map-integrity", "status-truthful"], runs: 2000 });

  it("a missing scenario file is one clear error", async () => {
    await expect(checkRace({ scenario: "./examples/scenarios/nope.json", runner: "fixed", runs: 10 })).rejects.toThrow(/^scenario file '\.\/examples\/scenarios\/nope\.json' not found/);
  });
});
