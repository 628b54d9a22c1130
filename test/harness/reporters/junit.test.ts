import { describe, expect, it } from "vitest";
import { renderJunit, type JunitCase } from "../../../src/harness/reporters/junit.ts";
import { renderTimeline } from "../../../src/harness/report/timeline.ts";
import { realFailure } from "./support.ts";

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A strict parser for the XML subset JUnit reports use (declaration, elements, attributes,
 * text, the five entities and character references): throws on anything not well-formed,
 * such as a raw `<` or `&` in text or an attribute, a mismatched tag, or a character XML 1.0
 * does not allow.
 */
function parseXml(xml: string): XmlElement {
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml)) throw new Error("character not allowed in XML 1.0");
  const decode = (s: string, where: string): string => {
    if (/<|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) throw new Error(`raw markup character in ${where}: ${s.slice(0, 60)}`);
    return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
      e.startsWith("#x") ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[e]!,
    );
  };
  let rest = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, "");
  if (rest === xml) throw new Error("missing XML declaration");
  const root: XmlElement = { name: "#document", attrs: {}, children: [], text: "" };
  const stack = [root];
  for (let guard = 0; rest.length > 0; guard++) {
    if (guard > 100_000) throw new Error("parser limit of 100000 tokens hit");
    const top = stack[stack.length - 1]!;
    const text = /^[^<]+/.exec(rest);
    if (text) {
      top.text += decode(text[0], `text of <${top.name}>`);
      rest = rest.slice(text[0].length);
      continue;
    }
    const close = /^<\/([\w:-]+)>/.exec(rest);
    if (close) {
      if (close[1] !== top.name) throw new Error(`</${close[1]}> closes <${top.name}>`);
      stack.pop();
      rest = rest.slice(close[0].length);
      continue;
    }
    const open = /^<([\w:-]+)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/.exec(rest);
    if (!open) throw new Error(`not well-formed at: ${rest.slice(0, 60)}`);
    const element: XmlElement = { name: open[1]!, attrs: {}, children: [], text: "" };
    for (const a of open[2]!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (a[1]! in element.attrs) throw new Error(`duplicate attribute ${a[1]}`);
      element.attrs[a[1]!] = decode(a[2]!, `attribute ${a[1]}`);
    }
    top.children.push(element);
    if (open[3] !== "/") stack.push(element);
    rest = rest.slice(open[0].length);
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (root.children.length !== 1 || root.text.trim() !== "") throw new Error("a document has exactly one root element");
  return root.children[0]!;
}

const all = (e: XmlElement, name: string): XmlElement[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];

describe("renderJunit", () => {
  const nasty = `a <tag> & "quotes" 'apostrophes' ]]> \u0000\u0007\u001b[31m\uFFFE\uD800 lone surrogate, 😀 kept, tab\tand\nnewline`;
  const cleaned = `a <tag> & "quotes" 'apostrophes' ]]> [31m lone surrogate, 😀 kept, tab\tand\nnewline`;
  const cases: JunitCase[] = [
    { classname: "racelab.idle-prompt-async", name: "upstream passes", timeMs: 12.3456 },
    { classname: "racelab.idle-prompt-async", name: `fixed <&"> fails`, timeMs: 1500, failure: { message: nasty, body: nasty } },
    { classname: "racelab.torn-read", name: "skipped one", timeMs: 0, skipped: `not applicable: <run> & "co"` },
  ];

  it("writes well-formed XML with suite counts and one testcase per case", () => {
    const doc = parseXml(renderJunit(`racelab <gate> & "co"`, cases));
    expect(doc.name).toBe("testsuites");
    const [suite] = all(doc, "testsuite");
    expect(suite!.attrs).toMatchObject({ name: `racelab <gate> & "co"`, tests: "3", failures: "1", errors: "0", skipped: "1", time: "1.512" });
    expect(all(doc, "testcase").map((c) => c.attrs["name"])).toEqual(["upstream passes", `fixed <&"> fails`, "skipped one"]);
    expect(all(doc, "testcase")[0]!.attrs["time"]).toBe("0.012");
    expect(all(doc, "failure").length).toBe(1);
    expect(all(doc, "skipped").map((s) => s.attrs["message"])).toEqual([`not applicable: <run> & "co"`]);
  });

  it("escapes <, & and quotes and strips characters XML 1.0 forbids, keeping the rest (tabs and newlines included)", () => {
    const xml = renderJunit("suite", cases);
    const failure = all(parseXml(xml), "failure")[0]!;
    expect(failure.attrs["message"]).toBe(cleaned);
    expect(failure.text).toBe(cleaned);
    expect(xml).not.toContain("\u0000");
    expect(xml).not.toContain("]]>");
  });

  it("reports a real failure with its timeline and replay command as the failure body", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const body = `${renderTimeline(report)}\n\nReproduce: ${report.replay}`;
    const v = report.violations[0]!;
    const xml = renderJunit("racelab", [{ classname: `racelab.${report.scenario.name}`, name: report.runner, timeMs: 37, failure: { message: `${v.invariant}: ${v.message}`, body } }]);
    const failure = all(parseXml(xml), "failure")[0]!;
    expect(failure.text).toBe(body);
    expect(failure.attrs["message"]).toBe(`${v.invariant}: ${v.message}`);
  });

  it("writes an empty suite for no cases", () => {
    const doc = parseXml(renderJunit("empty", []));
    expect(all(doc, "testsuite")[0]!.attrs).toMatchObject({ tests: "0", failures: "0", skipped: "0", time: "0.000" });
    expect(all(doc, "testcase")).toEqual([]);
  });

  it("the test parser rejects what is not well-formed", () => {
    expect(() => parseXml(`<?xml version="1.0" encoding="UTF-8"?>\n<a>x < y</a>`)).toThrow(/not well-formed|raw markup/);
    expect(() => parseXml(`<?xml version="1.0" encoding="UTF-8"?>\n<a b="&">x</a>`)).toThrow(/raw markup/);
    expect(() => parseXml(`<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a>`)).toThrow(/closes/);
  });
});
