import type { Violation } from "../invariants/Invariant.ts";
import type { FailureReport } from "./FailureReport.ts";
import { laneModel, type Lane, type LaneKind, type LaneStep } from "./lanes.ts";

/**
 * A failure as one self-contained HTML page: title, the violated invariants, the replay
 * command, and a swimlane timeline (a column per lane, a row per step; each step's box sits
 * in its lane with its label and events; each violation is a marked row at its step).
 *
 * No external resources and no script: a Content-Security-Policy forbids both, so the page
 * opens offline and a label can never run code even if escaping were wrong (it is not: every
 * text goes through {@link escape}). Stable selectors for tools and tests:
 * `th[data-lane="<lane>"]` (lane headers), `tr[data-step="<n>"]` (rows),
 * `.box[data-step][data-lane]` (step boxes), `.violation[data-violation="<invariant>"][data-step="<n>"]`
 * (violation markers), `.box.cause[data-cause="<invariants>"]` (the steps of a violation's causal
 * chain, highlighted, each with its place and words in the chain), `.cause-chain` (a chain as
 * text), `#replay` (the command).
 */
export function renderHtml(report: FailureReport): string {
  const model = laneModel(report);
  const last = report.choices.length;
  const title = [report.scenario.name, `runner ${report.runner}`, report.observer && `observer ${report.observer}`, report.transport && report.transport !== "inproc" && report.transport]
    .filter((x): x is string => typeof x === "string" && x.length > 0)
    .join(" · ");
  const invariants = [...new Set(report.violations.map((v) => v.invariant))];
  const cols = model.lanes.length + 1;

  const rows: string[] = [];
  if (model.before.events.length > 0 || model.before.violations.length > 0) {
    rows.push(extraRow(0, "before step 1", model.before.events, cols));
    for (const v of model.before.violations) rows.push(violationRow(v, cols));
  }
  for (const s of model.steps) {
    rows.push(stepRow(s, model.lanes));
    for (const v of s.violations) rows.push(violationRow(v, cols));
  }
  if (model.after.events.length > 0 || model.after.violations.length > 0) {
    rows.push(extraRow(last + 1, `after step ${last} (end of run)`, model.after.events, cols));
    for (const v of model.after.violations) rows.push(violationRow(v, cols));
  }

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(`✗ ${title}: ${invariants.join(", ") || "no violation"}`)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1><span class="cross">✗</span> ${escape(title)}</h1>
${report.scenario.description ? `<p class="description">${escape(report.scenario.description)}</p>` : ""}
<ul class="summary">
${report.violations.map((v) => `<li class="summary-violation" data-invariant="${escape(v.invariant)}"><b>${escape(v.invariant)}</b> <span class="at">step ${v.step}</span>: ${escape(v.message)}${chainOf(v)}</li>`).join("\n")}
</ul>
<p class="reproduce">Reproduce: <code id="replay" class="replay">${escape(report.replay)}</code></p>
<p class="meta">${last} steps · ${model.lanes.length} lanes · ${escape(report.name)}</p>
<p class="legend">${LEGEND.map(([kind, text]) => `<span class="chip kind-${kind}">${text}</span>`).join(" ")} <span class="chip chip-cause">● a step of a causal chain</span></p>
</header>
<main>
<table class="timeline">
<thead><tr><th class="n" scope="col">step</th>${model.lanes.map(laneHeader).join("")}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</main>
</body>
</html>
`;
}

const LEGEND: readonly (readonly [LaneKind, string])[] = [
  ["client", "client"],
  ["run", "run command"],
  ["actor", "runner actor"],
  ["llm", "LLM"],
  ["timers", "timers"],
];

function laneHeader(lane: Lane): string {
  return `<th scope="col" class="lane kind-${lane.kind}" data-lane="${escape(lane.name)}">${escape(lane.name)}<small>${lane.kind}</small></th>`;
}

function stepRow(s: LaneStep, lanes: readonly Lane[]): string {
  const violated = s.violations.length > 0;
  const causal = s.causes.length > 0;
  const cells = lanes.map((lane) => {
    if (lane.name !== s.lane) return `<td data-lane="${escape(lane.name)}"></td>`;
    const events = s.events.length > 0 ? `<ul class="events">${s.events.map((e) => `<li>${escape(e)}</li>`).join("")}</ul>` : "";
    const why = s.causes.map((c) => `<div class="why" data-invariant="${escape(c.invariant)}">● ${c.position}/${c.of} ${escape(c.invariant)}: ${escape(c.what)}</div>`).join("");
    const cause = causal ? ` cause" data-cause="${escape([...new Set(s.causes.map((c) => c.invariant))].join(" "))}` : "";
    return `<td data-lane="${escape(lane.name)}"><div class="box kind-${lane.kind}${violated ? " violated" : ""}${cause}" data-step="${s.step}" data-lane="${escape(lane.name)}"><div class="label">${escape(s.label)}</div>${events}${why}</div></td>`;
  });
  return `<tr class="step${violated ? " has-violation" : ""}${causal ? " in-cause" : ""}" data-step="${s.step}"><th class="n" scope="row">${s.step}</th>${cells.join("")}</tr>`;
}

function violationRow(v: Violation, cols: number): string {
  return `<tr class="violation-row" data-step="${v.step}"><td colspan="${cols}"><div class="violation" data-violation="${escape(v.invariant)}" data-step="${v.step}"><span class="cross">✗</span> <b>${escape(v.invariant)}</b> <span class="at">at step ${v.step}</span>: ${escape(v.message)}${chainOf(v)}</div></td></tr>`;
}

/** A violation's causal chain as a line under it (nothing when it has none). */
function chainOf(v: Violation): string {
  return v.cause ? `<div class="cause-chain" data-invariant="${escape(v.invariant)}">cause: ${escape(v.cause.text)}</div>` : "";
}

function extraRow(step: number, what: string, events: readonly string[], cols: number): string {
  const list = events.length > 0 ? `: ${events.map(escape).join(" · ")}` : "";
  return `<tr class="extra" data-step="${step}"><td colspan="${cols}"><i>${escape(what)}</i>${list}</td></tr>`;
}

/** HTML-escapes text for element content and quoted attribute values. */
function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

const CSS = `
:root { --client: #dbeafe; --client-b: #2563eb; --run: #ede9fe; --run-b: #7c3aed; --actor: #dcfce7; --actor-b: #16a34a;
  --llm: #ffedd5; --llm-b: #ea580c; --timers: #f1f5f9; --timers-b: #64748b; --bad: #dc2626; --bad-bg: #fef2f2;
  --cause: #eab308; --cause-bg: #fef9c3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #0f172a; background: #fff; }
header { padding: 1rem 1.25rem .5rem; border-bottom: 1px solid #e2e8f0; }
h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
.cross { color: var(--bad); font-weight: bold; }
.description { margin: 0 0 .5rem; color: #475569; }
.summary { margin: .25rem 0 .5rem; padding-left: 1.25rem; }
.summary-violation { color: var(--bad); margin: .15rem 0; }
.summary-violation b, .violation b { color: #991b1b; }
.at { color: #64748b; font-size: .9em; }
.reproduce { margin: .5rem 0; }
code.replay { display: inline-block; user-select: all; background: #0f172a; color: #f8fafc; padding: .3rem .6rem; border-radius: 4px; font: 13px ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
.meta { color: #64748b; font-size: .85em; margin: .25rem 0; }
.legend { margin: .25rem 0; }
.chip { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .8em; border-left: 4px solid; }
.chip-cause { background: var(--cause-bg); border-color: var(--cause); }
main { overflow: auto; max-height: calc(100vh - 1rem); }
table.timeline { border-collapse: separate; border-spacing: 0; font: 12px/1.35 ui-monospace, monospace; }
.timeline thead th { position: sticky; top: 0; z-index: 2; padding: .4rem .5rem; text-align: left; border-bottom: 2px solid #cbd5e1; min-width: 11rem; background: #f8fafc; }
.timeline thead th small { display: block; font-weight: normal; color: #64748b; }
.timeline th.n { position: sticky; left: 0; z-index: 1; min-width: 3rem; text-align: right; padding: .2rem .5rem; color: #64748b; background: #f8fafc; font-weight: normal; }
.timeline thead th.n { z-index: 3; }
.timeline td { vertical-align: top; padding: 2px 4px; border-left: 1px dashed #e2e8f0; }
.timeline tr.step:hover td, .timeline tr.step:hover th { background: #f8fafc; }
.box { border-left: 4px solid; border-radius: 3px; padding: .15rem .35rem; }
.box .label { font-weight: 600; white-space: pre-wrap; word-break: break-word; }
.events { margin: .1rem 0 0; padding-left: 1rem; color: #334155; }
.events li { white-space: pre-wrap; word-break: break-word; }
.box.violated { outline: 2px solid var(--bad); }
.box.cause { box-shadow: 0 0 0 3px var(--cause); }
.box .why { margin-top: .15rem; color: #713f12; background: var(--cause-bg); border-radius: 2px; padding: 0 .25rem; white-space: pre-wrap; word-break: break-word; }
tr.in-cause th.n { color: #a16207; font-weight: bold; }
.cause-chain { margin-top: .2rem; color: #713f12; background: var(--cause-bg); border-left: 4px solid var(--cause); padding: .1rem .4rem; font: 12px/1.4 ui-monospace, monospace; white-space: pre-wrap; }
tr.has-violation th.n { color: var(--bad); font-weight: bold; }
.violation-row td { padding: .3rem .5rem; }
.violation { position: sticky; left: 0; max-width: 100vw; background: var(--bad-bg); border: 1px solid var(--bad); border-left: 6px solid var(--bad); border-radius: 3px; padding: .3rem .5rem; color: #7f1d1d; font: 13px/1.4 system-ui, sans-serif; white-space: pre-wrap; }
tr.extra td { color: #475569; padding: .3rem .5rem; font-style: normal; }
.kind-client { background: var(--client); border-color: var(--client-b); }
.kind-run { background: var(--run); border-color: var(--run-b); }
.kind-actor { background: var(--actor); border-color: var(--actor-b); }
.kind-llm { background: var(--llm); border-color: var(--llm-b); }
.kind-timers { background: var(--timers); border-color: var(--timers-b); }
thead th.kind-client { border-top: 4px solid var(--client-b); } thead th.kind-run { border-top: 4px solid var(--run-b); }
thead th.kind-actor { border-top: 4px solid var(--actor-b); } thead th.kind-llm { border-top: 4px solid var(--llm-b); }
thead th.kind-timers { border-top: 4px solid var(--timers-b); }
`;
