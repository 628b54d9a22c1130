import { describe, expect, it } from "vitest";
import { ReplayDivergence } from "../../../../src/harness/errors.ts";
import { replay, replayChooser } from "../../../../src/harness/scheduler/strategies/replay.ts";

const ready = [
  { id: 0, label: "a: prompt s1", actor: "a" },
  { id: 1, label: "b: prompt_async s1", actor: "b" },
];

describe("replay strategy", () => {
  it("releases the recorded labels in order", () => {
    const chooser = replayChooser(["b: prompt_async s1", "a: prompt s1"]);
    expect(chooser.choose(ready, 0)).toBe(1);
    expect(chooser.choose(ready, 1)).toBe(0);
    expect(() => chooser.finish?.(2, true)).not.toThrow();
  });

  it("throws a divergence naming the step, the recorded label and what is offered", () => {
    const chooser = replayChooser(["c: cancel s1"]);
    expect(() => chooser.choose(ready, 0)).toThrow(ReplayDivergence);
    expect(() => chooser.choose(ready, 0)).toThrow(/^the recording releases 'c: cancel s1' but the run offers only 'a: prompt s1', 'b: prompt_async s1'/);
  });

  it("throws when the run goes on past the recording", () => {
    expect(() => replayChooser([]).choose(ready, 0)).toThrow(/recording ends after 0 steps/);
  });

  it("throws 'schedule ended early' when the run comes to rest before the recording ends", () => {
    expect(() => replayChooser(["a: prompt s1", "x"]).finish?.(1, true)).toThrow(/schedule ended early/);
  });

  it("offers exactly one schedule", () => {
    const strategy = replay(["a"]);
    expect(strategy.next(0)).toBeDefined();
    expect(strategy.next(1)).toBeUndefined();
  });
});
