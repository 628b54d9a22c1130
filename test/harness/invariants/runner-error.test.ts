import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import { defineScenario } from "../../../src/harness/scenario/parseScenario.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { at, describeAll, endOf, expectClean, exploreOne, runOne, toy, toyScenarios } from "./support.ts";

const inv = InvariantsMap["runner-error"];
const NAME = "runner-error";

/** Throws from the client-facing call named `where`, after its first point for prompt. */
function throwing(where: "prompt" | "promptAsync" | "cancel"): RunnerVariant {
  return {
    name: `throws-in-${where}`,
    description: `${where} throws`,
    create(port) {
      const base = toy.create(port);
      if (where === "prompt") {
        return {
          ...base,
          async prompt(input) {
            await port.point(`${input.request} write user`);
            throw new Error(`boom in ${input.sessionID}`);
          },
        };
      }
      if (where === "promptAsync") {
        return {
          ...base,
          promptAsync() {
            throw new TypeError("not accepted");
          },
        };
      }
      return {
        ...base,
        cancel() {
          return Promise.reject("cancel refused");
        },
      };
    },
  };
}

const mixed = defineScenario({
  name: "toy-prompt-async-cancel",
  sessions: ["s1"],
  clients: [
    { name: "a", actions: [{ kind: "prompt_async", session: "s1", parts: ["go"] }] },
    { name: "c", actions: [{ kind: "cancel", session: "s1" }] },
  ],
});

describe("runner-error over real runs", () => {
  it("a runner whose prompt throws is reported, naming the request and the error (seed 1)", async () => {
    const run = await runOne({ scenario: toyScenarios.onePrompt, runner: throwing("prompt"), invariants: [NAME] });
    expect(run.end.pendingCalls).toEqual([]);
    expect(run.violations).toMatchObject([{ invariant: NAME, step: 2, message: "request a1 (prompt s1) threw: boom in s1", sessionID: "s1" }]);
  });

  it("a runner whose prompt_async throws synchronously is reported (seed 1)", async () => {
    const run = await runOne({ scenario: mixed, runner: throwing("promptAsync"), invariants: [NAME] });
    expect(run.violations.map((v) => v.message)).toEqual(["request a1 (prompt_async s1) threw: not accepted"]);
  });

  it("a runner whose cancel rejects with a non-Error is reported (seed 1)", async () => {
    const run = await runOne({ scenario: mixed, runner: throwing("cancel"), invariants: [NAME] });
    expect(run.violations.map((v) => v.message)).toEqual(["request c1 (cancel s1) threw: cancel refused"]);
  });

  it("the tiny correct runner throws nothing", async () => {
    for (const scenario of [...Object.values(toyScenarios), mixed]) {
      const run = await runOne({ scenario, runner: toy, invariants: [NAME] });
      expect(run.trace.some((e) => e.type === "client.error")).toBe(false);
      expect(run.violations, describeAll(run.violations)).toEqual([]);
    }
  });

  it.each(["cancel-race", "halt-idle"] as const)("the fixed runner throws nothing in %s (seed 1, 300 schedules)", async (scenario) => {
    expectClean(await exploreOne({ scenario, runner: "fixed", invariant: NAME, seed: 1, runs: 300 }), 300);
  });
});

describe("runner-error over hand-built traces", () => {
  const call: TraceEvent = at(1, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1" });

  it("reports the first client.error only; a session.error (a detached failure) is not a runner error", () => {
    const trace = [
      call,
      at(2, { type: "session.error", sessionID: "s1", error: "Error: published" }),
      at(3, { type: "client.error", request: "a1", error: "first" }),
      at(4, { type: "client.error", request: "b1", error: "second" }),
    ];
    expect(inv.check(trace, endOf(4))).toMatchObject([{ invariant: NAME, step: 3, message: "request a1 (prompt s1) threw: first", sessionID: "s1" }]);
    expect(inv.check(trace.slice(0, 2), endOf(4))).toEqual([]);
  });
});
