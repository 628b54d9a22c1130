import { describe, expect, it } from "vitest";
import { renderHtml } from "../../../src/harness/reporters/html.ts";
import { laneModel } from "../../../src/harness/reporters/lanes.ts";
import { evilReport, realFailure, replayed } from "./support.ts";

/** The HTML of the table row of step `step` (up to the next row). */
function rowOf(html: string, step: number): string {
  return new RegExp(`<tr class="step[^"]*" data-step="${step}">.*?</tr>`).exec(html)?.[0] ?? "";
}

describe("renderHtml on idle-prompt-async, upstream, seed 1 (lost wake-up)", () => {
  it("titles the page with scenario and runner and states the violated invariant and the replay command", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const html = renderHtml(report);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toMatch(/<h1>.*idle-prompt-async · runner upstream<\/h1>/);
    expect(html).toContain(`data-invariant="every-message-answered"`);
    expect(html).toContain(`<code id="replay" class="replay">${report.replay}</code>`);
  });

  it("has a header per lane and each step's box in its lane", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const html = renderHtml(report);
    const model = laneModel(report);
    for (const lane of model.lanes) expect(html).toContain(`<th scope="col" class="lane kind-${lane.kind}" data-lane="${lane.name}">`);
    for (const s of model.steps) {
      const cause = s.causes.length > 0 ? ` cause" data-cause="${[...new Set(s.causes.map((c) => c.invariant))].join(" ")}` : "";
      expect(html).toContain(`<div class="box kind-${model.lanes.find((l) => l.name === s.lane)!.kind}${s.violations.length > 0 ? " violated" : ""}${cause}" data-step="${s.step}" data-lane="${s.lane}">`);
    }
    expect(rowOf(html, 8)).toContain(`data-lane="LLM"><div class="box`);
  });

  it("marks the violation right after the row of its step", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const html = renderHtml(report);
    const v = report.violations[0]!;
    const marker = html.indexOf(`<div class="violation" data-violation="${v.invariant}" data-step="${v.step}">`);
    const row = html.indexOf(`<tr class="step has-violation" data-step="${v.step}">`);
    expect(marker).toBeGreaterThan(row);
    expect(row).toBeGreaterThan(0);
    const next = html.indexOf(`data-step="${v.step + 1}"><th`);
    if (next >= 0) expect(marker).toBeLessThan(next);
  });

  it("highlights the steps of the causal chain, not only the last step, and states the chain", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const v = report.violations[0]!;
    expect(v.cause, "the lost wake-up has a causal chain").toBeDefined();
    const html = renderHtml(report);
    const chain = v.cause!.steps.map((c) => c.step);
    expect(chain.length).toBeGreaterThan(2);
    expect(chain).not.toEqual([v.step]);
    for (const step of chain) {
      const row = rowOf(html, step);
      expect(row, `step ${step}`).toMatch(/<tr class="step[^"]* in-cause"/);
      expect(row).toContain(`cause" data-cause="${v.invariant}"`);
      expect(row).toMatch(new RegExp(`class="why" data-invariant="${v.invariant}">● \\d+/${chain.length} `));
    }
    const outside = laneModel(report).steps.filter((s) => !chain.includes(s.step));
    for (const s of outside) expect(rowOf(html, s.step)).not.toContain(" in-cause");
    const text = v.cause!.text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
    expect(html.split(`<div class="cause-chain" data-invariant="${v.invariant}">cause: ${text}</div>`).length - 1).toBe(2);
  });

  it("is self-contained: no script, no external resource, a CSP that forbids both", async () => {
    const html = renderHtml(await realFailure({ scenario: "idle-prompt-async", runner: "upstream" }));
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|href=|url\(|@import|https?:/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it("renders the same bytes twice, and the same bytes for the run replayed from its choices", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    expect(renderHtml(report)).toBe(renderHtml(report));
    expect(renderHtml(await replayed(report))).toBe(renderHtml(report));
  });
});

describe("renderHtml on sync-child, upstream, main-idle observer, seed 1", () => {
  it("names the observer and has the run, runner actor and LLM lanes, with all four violations marked", async () => {
    const report = await realFailure({ scenario: "sync-child", runner: "upstream", observer: "main-idle" });
    const html = renderHtml(report);
    expect(html).toMatch(/<h1>.*sync-child · runner upstream · observer main-idle<\/h1>/);
    for (const lane of ["run", "main.run1", "c1.run1", "LLM"]) expect(html).toContain(`data-lane="${lane}">${lane}<small>`);
    const markers = html.match(/<div class="violation" data-violation="[^"]+" data-step="\d+">/g) ?? [];
    expect(markers.length).toBe(report.violations.length);
  });
});

describe("renderHtml escaping (hand-made report with markup in its texts)", () => {
  it("escapes every text: labels, description, events, messages, replay command, title", () => {
    const html = renderHtml(evilReport());
    expect(html).not.toContain("<script");
    expect(html).not.toContain("alert(1)</");
    const escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    // description, two labels, the event, the summary and the marker, the replay command.
    expect(html.split(escaped).length - 1).toBeGreaterThanOrEqual(7);
    expect(html).toContain("weird; label # &amp; &quot;quoted&quot; &#39;single&#39;");
    expect(html).toContain(`<code id="replay" class="replay">npx racelab replay &quot;reports/failures/${"&lt;script&gt;alert(1)&lt;/script&gt;"}.json&quot;</code>`);
  });

  it("escapes lane names and invariant names in attributes too", () => {
    const report = evilReport();
    const html = renderHtml({
      ...report,
      choices: [...report.choices, `x"><b>onerror=1 point`],
      violations: [{ invariant: `inv"<x>`, message: "m", step: 1 }],
    });
    expect(html).toContain(`data-lane="x&quot;&gt;&lt;b&gt;onerror=1"`);
    expect(html).toContain(`data-violation="inv&quot;&lt;x&gt;"`);
    expect(html).not.toContain("<b>onerror");
  });

  it("shows violations at step 0 and after the last step in their own rows", () => {
    const report = evilReport();
    const last = report.choices.length;
    const html = renderHtml({
      ...report,
      violations: [
        { invariant: "at-start", message: "before anything", step: 0 },
        { invariant: "at-end", message: "after everything", step: last + 3 },
      ],
    });
    const start = html.indexOf(`data-violation="at-start" data-step="0"`);
    const end = html.indexOf(`data-violation="at-end" data-step="${last + 3}"`);
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThan(html.indexOf(`data-step="1"><th`));
    expect(end).toBeGreaterThan(html.indexOf(`data-step="${last}"><th`));
    expect(html).toContain(`<tr class="extra" data-step="${last + 1}">`);
  });
});
