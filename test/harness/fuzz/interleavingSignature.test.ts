import { describe, expect, it } from "vitest";
import { interleavingSignature, signatureShape } from "../../../src/harness/fuzz/interleavingSignature.ts";
import { defineScenario } from "../../../src/harness/scenario/parseScenario.ts";

const scenario = defineScenario({
  name: "sig",
  sessions: ["s1", "s2"],
  clients: [
    { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["x"] }] },
    { name: "b", actions: [{ kind: "prompt_async", session: "s2", parts: ["y"] }] },
  ],
});
const lostWakeUp = ["run:publish busy -store r>w-> prompt:store whole", "prompt:join -runners w>w-> run:exit"];
const cause = (race: string[], shape: string[] = ["x"]) => ({ race, shape });

describe("interleavingSignature", () => {
  it("keys a violation whose chain rests on a race by the race alone: one race seen through two invariants is one signature", () => {
    const a = interleavingSignature({ invariant: "every-message-answered", message: "message msg_1 in s1 ...", cause: cause(lostWakeUp, ["a"]) }, scenario);
    const b = interleavingSignature({ invariant: "child-result-answered", message: "c1's result in s2 ...", cause: cause(lostWakeUp, ["b"]) }, scenario);
    expect(a).toBe(b);
    expect(a).toMatch(/^race@[0-9a-f]{10}$/);
    const other = interleavingSignature({ invariant: "every-message-answered", message: "message msg_1 in s1 ...", cause: cause([lostWakeUp[0]!]) }, scenario);
    expect(other).not.toBe(a);
    expect(signatureShape({ invariant: "x", message: "", cause: cause(lostWakeUp) })).toBe(`race: ${lostWakeUp.join("; ")}`);
  });

  it("keys a chain with no race by the invariant and the chain's steps", () => {
    const error = interleavingSignature({ invariant: "status-truthful", message: "m", cause: cause([], ["publisher:llm", "publisher:halt publish idle"]) }, scenario);
    const again = interleavingSignature({ invariant: "status-truthful", message: "another text", cause: cause([], ["publisher:llm", "publisher:halt publish idle"]) }, scenario);
    const other = interleavingSignature({ invariant: "livelock", message: "m", cause: cause([], ["publisher:llm", "publisher:halt publish idle"]) }, scenario);
    expect(error).toBe(again);
    expect(error).toMatch(/^status-truthful@/);
    expect(other).not.toBe(error);
  });

  it("falls back to the message with names and numbers abstracted when there is no chain", () => {
    const one = interleavingSignature({ invariant: "no-hang", message: "a1 (prompt s1, sent at step 3) still waits" }, scenario);
    const renamed = interleavingSignature({ invariant: "no-hang", message: "b7 (prompt s2, sent at step 9) still waits" }, scenario);
    expect(one).toBe(renamed);
    expect(interleavingSignature({ invariant: "no-hang", message: "a1 (cancel s1, sent at step 3) still waits" }, scenario)).not.toBe(one);
  });
});
