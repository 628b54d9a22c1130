import { expect, it } from "vitest";
import { search, soundnessSuite } from "../../../support/dfsSoundness.ts";

// The fixed design with the larger budget: plain DFS completes at bound 2 on six scenarios.
soundnessSuite("fixed", 8000);
soundnessSuite("pr-21528", 1500);

it("cancel-race on upstream at bound 1: plain DFS completes and finds one-loop-per-session, and so does the reduced search, in a fifth of the schedules", async () => {
  // The case where sleep sets alone under a preemption bound missed the bug (7509 plain schedules).
  const plain = await search("cancel-race", "upstream", 1, false, 8000);
  const reduced = await search("cancel-race", "upstream", 1, true, 8000);
  expect(plain.complete).toBe(true);
  expect(plain.invariants).toContain("one-loop-per-session");
  expect(reduced.complete).toBe(true);
  expect(reduced.invariants).toContain("one-loop-per-session");
  expect(reduced.schedules * 5).toBeLessThan(plain.schedules);
});
