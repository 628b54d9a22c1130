import { describe, expect, it } from "vitest";
import { parseJsonText } from "../../../src/boundaries/loaders/jsonText.ts";

/** Where parseJsonText says a text stops being JSON, as `line:column problem`. */
function located(text: string): string {
  const r = parseJsonText(text);
  if (r.ok) throw new Error(`expected ${JSON.stringify(text)} not to parse`);
  return `${r.line}:${r.column} ${r.problem}`;
}

describe("parseJsonText", () => {
  it("parses JSON, with or without a byte-order mark", () => {
    expect(parseJsonText('{"a": [1, -2.5e3, "x\\n", true, null]}')).toEqual({ ok: true, value: { a: [1, -2500, "x\n", true, null] } });
    expect(parseJsonText('\uFEFF{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it("says where a text stops being JSON and what was expected there", () => {
    expect(located('{\n  "a": 1,\n}')).toBe("3:1 expected a property after ',' (JSON has no trailing commas), found \"}\"");
    expect(located('{"a":}')).toMatch(/^1:6 expected a value/);
    expect(located('{"a" 1}')).toBe("1:6 expected ':' after the property name, found \"1\"");
    expect(located("{'a': 1}")).toBe("1:2 expected a property name in double quotes, found \"'\"");
    expect(located('[1, 2')).toBe("1:6 expected ',' or ']' after an element, but the text ends");
    expect(located('{"a": "x\ny"}')).toMatch(/^1:9 expected '"' to close the string \(a string cannot span lines/);
    expect(located("// a comment\n{}")).toMatch(/^1:1 expected a value/);
    expect(located("{} x")).toBe("1:4 expected the end of the text after the value, found \"x\"");
    expect(located("")).toMatch(/^1:1 expected a value .*but the text ends$/);
  });
});
