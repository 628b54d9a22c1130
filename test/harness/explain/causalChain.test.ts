import { describe, expect, it } from "vitest";
import { causalChain, chainText } from "../../../src/harness/explain/causalChain.ts";
import { HappensBefore } from "../../../src/harness/explain/happensBefore.ts";
import type { RunStep } from "../../../src/harness/explain/RunStep.ts";
import { namesOf } from "../../../src/harness/explain/shape.ts";
import type { Evidence } from "../../../src/harness/invariants/Invariant.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { at } from "../invariants/support.ts";

function step(n: number, label: string, born: number, reads: string[] = [], writes: string[] = [], extra: Partial<RunStep> = {}): RunStep {
  const space = label.indexOf(" ");
  return { step: n, label, actor: label.slice(0, space).replace(/:$/, ""), born, reads, writes, global: false, ...extra };
}

const ctxOf = (steps: RunStep[], trace: TraceEvent[] = []) => ({ steps, trace, names: namesOf(trace), hb: new HappensBefore(steps) });

/** A lost wake-up of session `sid` prompted by client `client` (request `<client>1`), shifted by `offset` unrelated steps. */
function lostWakeUp(sid: string, client: string, offset = 0) {
  const req = `${client}1`;
  const run = `${sid}.run1`;
  const pad = Array.from({ length: offset }, (_, i) => step(i + 1, `z${i} noise`, 0, ["other"]));
  const o = offset;
  const steps = [
    ...pad,
    step(o + 1, `${run} publish busy`, 0, [`store:${sid}`], [`status:${sid}`]),
    step(o + 2, `${client}: prompt_async ${sid}`, 0),
    step(o + 3, `${req} write user info`, o + 2, [], [`store:${sid}/msg_9`, "ids"]),
    step(o + 4, `${req} write part 1/1`, o + 3, [], [`store:${sid}/msg_9`]),
    step(o + 5, `${req} touch session`, o + 4, [`cancel:${sid}`], [`runners:${sid}`]),
    step(o + 6, `${run} read last assistant`, o + 1, [`store:${sid}`], [`runners:${sid}`]),
  ];
  const trace: TraceEvent[] = [at(o + 2, { type: "client.call", client, request: req, action: "prompt_async", sessionID: sid })];
  const evidence: Evidence[] = [
    { step: o + 4, what: `${req} stored msg_9 whole`, role: "prompt", as: "store whole", race: true },
    { step: o + 5, what: `${req} joined ${run}`, role: "prompt", as: "join" },
    { step: o + 6, what: `${run} exited without reading msg_9`, role: "run", as: "exit" },
  ];
  return { steps, trace, evidence };
}

describe("causalChain", () => {
  it("derives the run's missed read from the store's race and links the chain by conflict and creation", () => {
    const { steps, trace, evidence } = lostWakeUp("s1", "b");
    const cause = causalChain(evidence, ctxOf(steps, trace))!;
    expect(cause.steps.map((s) => [s.step, s.source, s.after?.kind])).toEqual([
      [1, "conflict", undefined],
      [4, "evidence", "conflict"],
      [5, "evidence", "origin"],
      [6, "evidence", "conflict"],
    ]);
    expect(cause.text).toBe('s1.run1 read store:s1 ("publish busy") at 1 -> b1 stored msg_9 whole at 4 -> b1 joined s1.run1 at 5 -> s1.run1 exited without reading msg_9 at 6');
    expect(cause.race).toEqual(["run:publish busy -store r>w-> prompt:store whole", "prompt:join -runners w>w-> run:exit"]);
  });

  it("gives the same race whatever the sessions, clients and step numbers, and only derives what the evidence asks for", () => {
    const a = lostWakeUp("s1", "b");
    const b = lostWakeUp("main", "x", 7);
    const ca = causalChain(a.evidence, ctxOf(a.steps, a.trace))!;
    const cb = causalChain(b.evidence, ctxOf(b.steps, b.trace))!;
    expect(cb.race).toEqual(ca.race);
    expect(cb.shape).toEqual(ca.shape);
    const plain = causalChain(a.evidence.map(({ race: _, ...e }) => e), ctxOf(a.steps, a.trace))!;
    expect(plain.steps.map((s) => s.step)).toEqual([4, 5, 6]);
  });

  it("names the step that created a point (origin) and the last write of what a step read (input)", () => {
    const steps = [
      step(1, "b1 write part 1/1", 0, [], ["store:s1/msg_7"]),
      step(2, "c1.job check parent", 0, ["store:s1", "status:s1"]),
      step(3, "b: cancel s2", 0, [], ["cancel:s2"], { global: true, interrupted: true }),
      step(4, "s2.run1 halt publish idle", 3, ["runners:s2"], ["status:s2"]),
    ];
    const cause = causalChain(
      [
        { step: 2, what: "c1.job began looping", role: "loop", input: true },
        { step: 4, what: "s2.run1 published idle", role: "publisher", origin: true },
      ],
      ctxOf(steps),
    )!;
    expect(cause.steps.map((s) => [s.step, s.source])).toEqual([
      [1, "input"],
      [2, "evidence"],
      [3, "origin"],
      [4, "evidence"],
    ]);
    expect(cause.steps[0]!.what).toBe('b1 wrote store:s1/msg_7 ("write part 1/1")');
    expect(cause.steps[2]!.what).toBe('"b: cancel s2" interrupted a wait');
    // Another actor's step that woke the publisher is named as a wake-up, whoever sent it.
    expect(cause.race).toContain("wake -origin-> publisher:halt publish idle");
  });

  it("writes a link between steps that are not ordered as ';', not as a cause", () => {
    const steps = [step(1, "a1 write part 1/1", 0, [], ["store:s1/m1"]), step(2, "b1 write part 1/1", 0, [], ["store:s2/m2"])];
    const cause = causalChain(
      [
        { step: 1, what: "a1 stored m1" },
        { step: 2, what: "b1 stored m2" },
      ],
      ctxOf(steps),
    )!;
    expect(cause.steps[1]!.after).toEqual({ kind: "concurrent" });
    expect(chainText(cause.steps)).toBe("a1 stored m1 at 1 ; b1 stored m2 at 2");
    expect(cause.race).toEqual([]);
  });

  it("is undefined when no evidence falls inside the run", () => {
    expect(causalChain([{ step: 9, what: "past the end" }], ctxOf([step(1, "a x", 0)]))).toBeUndefined();
  });
});
