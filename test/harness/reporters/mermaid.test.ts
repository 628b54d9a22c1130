import { describe, expect, it } from "vitest";
import { laneModel } from "../../../src/harness/reporters/lanes.ts";
import { mermaidSequence } from "../../../src/harness/reporters/mermaid.ts";
import { evilReport, realFailure } from "./support.ts";

/** Lines of a diagram, without the header and the participants. */
const body = (text: string) => text.split("\n").filter((l) => l.startsWith("  ") && !l.startsWith("  participant") && !l.startsWith("  title"));

/**
 * What Mermaid's sequence grammar accepts in a text (after `:` or `as`): no `;`, `#`, `%`, `<`,
 * `>` or newline (Mermaid entity codes `#59;` and our `<br/>` line breaks aside).
 */
function expectMermaidSafe(text: string): void {
  const stripped = text.replace(/<br\/>/g, "").replace(/#\w+;/g, "");
  expect(stripped).not.toMatch(/[;#%<>"]/);
}

/** Every line is a statement the diagram uses: header, title, participant, message or note. */
function expectStatements(text: string): void {
  const lines = text.trimEnd().split("\n");
  expect(lines[0]).toBe("sequenceDiagram");
  for (const line of lines.slice(1)) {
    expect(line, line).toMatch(/^ {2}(title [^\n]+|participant L\d+ as [^\n]+|L\d+->>L\d+: [^\n]+|Note over L\d+(,L\d+)?: [^\n]+)$/);
  }
}

describe("mermaidSequence on idle-prompt-async, upstream, seed 1 (lost wake-up)", () => {
  it("declares one aliased participant per lane, in lane order", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const text = mermaidSequence(report);
    expectStatements(text);
    const participants = text.split("\n").filter((l) => l.startsWith("  participant"));
    expect(participants).toEqual(laneModel(report).lanes.map((l, i) => `  participant L${i + 1} as ${l.name} (${l.kind})`));
  });

  it("draws a client's prompt as a message to the session's loop and other steps as notes over their lane", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const text = mermaidSequence(report);
    const lanes = laneModel(report).lanes.map((l) => l.name);
    const id = (lane: string) => `L${lanes.indexOf(lane) + 1}`;
    const bStep = report.choices.indexOf("b: prompt_async s1") + 1;
    expect(text).toContain(`  ${id("b")}->>${id("s1.run1")}: ${bStep}. b#58; prompt_async s1`);
    const llmStep = report.choices.indexOf("s1.run1 llm") + 1;
    expect(text).toContain(`  Note over ${id("LLM")}: ${llmStep}. s1.run1 llm<br/>`);
  });

  it("puts a ✗ note over all lanes right after the violation's step", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const lines = body(mermaidSequence(report));
    const v = report.violations[0]!;
    const at = lines.findIndex((l) => l.includes(`: ✗ ${v.invariant} at step ${v.step}`));
    expect(at).toBeGreaterThan(0);
    expect(lines[at]).toMatch(/^ {2}Note over L1,L\d+: /);
    expect(lines[at - 1]).toContain(`: ${v.step}. `);
  });

  it("notes the violation's causal chain after it and marks each step of the chain", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const v = report.violations[0]!;
    expect(v.cause, "the lost wake-up has a causal chain").toBeDefined();
    const lines = body(mermaidSequence(report));
    const at = lines.findIndex((l) => l.includes(`: ✗ ${v.invariant} at step ${v.step}`));
    expect(lines[at + 1]).toMatch(/^ {2}Note over L1,L\d+: cause#58; /);
    expect(lines[at + 1]).toContain("joined s1.run1 at");
    for (const c of v.cause!.steps) {
      const line = lines.find((l) => l.includes(`: ${c.step}. ● `));
      expect(line, `step ${c.step}`).toBeDefined();
      expect(line).toContain(`<br/>● `);
    }
    const marked = lines.filter((l) => /: \d+\. ● /.test(l)).length;
    expect(marked).toBe(v.cause!.steps.length);
  });

  it("keeps the causal chain's steps when the middle is left out, as they fit", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const chain = report.violations[0]!.cause!.steps.map((c) => c.step);
    const text = mermaidSequence(report, chain.length + 1);
    expectStatements(text);
    for (const step of chain) expect(text, `step ${step}`).toContain(`: ${step}. ● `);
  });

  it("keeps the violation visible when the middle is left out", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const v = report.violations[0]!;
    const text = mermaidSequence(report, 6);
    expectStatements(text);
    const steps = body(text).filter((l) => /: \d+\. /.test(l));
    expect(steps.length).toBeLessThanOrEqual(6);
    expect(text).toContain(`: ${v.step}. `);
    expect(text).toContain(`✗ ${v.invariant}`);
    expect(text).toMatch(/… \d+ steps left out \(steps \d+–\d+\) …/);
  });
});

describe("mermaidSequence on child-wake-parent, upstream, seed 1 (a 1000-step livelock)", () => {
  it("elides the middle of a long run with notes that count the left-out steps", async () => {
    const report = await realFailure({ scenario: "child-wake-parent", runner: "upstream" });
    expect(report.choices.length).toBeGreaterThan(60);
    const text = mermaidSequence(report);
    expectStatements(text);
    const lines = body(text);
    const drawn = lines.filter((l) => /: \d+\. /.test(l)).map((l) => Number(/: (\d+)\. /.exec(l)![1]));
    expect(drawn.length).toBeLessThanOrEqual(60);
    expect(drawn[0]).toBe(1);
    expect(drawn[drawn.length - 1]).toBe(report.choices.length);
    const left = lines.filter((l) => l.includes("left out")).map((l) => Number(/… (\d+) steps? left out/.exec(l)![1]));
    expect(drawn.length + left.reduce((a, b) => a + b, 0)).toBe(report.choices.length);
    for (const v of report.violations) expect(text).toContain(`✗ ${v.invariant} at step ${v.step}`);
    expect(text).toContain("c1.job sleep 300ms");
    expect(text).toMatch(/participant L\d+ as timers \(timers\)/);
  });

  it("rejects a maxSteps that is not a positive integer", async () => {
    const report = await realFailure({ scenario: "child-wake-parent", runner: "upstream" });
    expect(() => mermaidSequence(report, 0)).toThrow(/maxSteps must be a positive integer/);
  });
});

describe("mermaidSequence escaping (hand-made report with markup in its texts)", () => {
  it("leaves no raw ; # % < > \" or newline in any text", () => {
    const text = mermaidSequence(evilReport());
    expectStatements(text);
    for (const line of text.split("\n").slice(1)) {
      const rest = line.replace(/^ {2}(title |participant L\d+ as |L\d+->>L\d+: |Note over L\d+(,L\d+)?: )/, "");
      expectMermaidSafe(rest);
    }
    expect(text).toContain("#lt;script#gt;alert(1)#lt;/script#gt;");
    expect(text).toContain("weird#59; label #35; #amp; #quot;quoted#quot; 'single' second line");
  });

  it("is deterministic", () => {
    expect(mermaidSequence(evilReport())).toBe(mermaidSequence(evilReport()));
  });
});
