/**
 * JSON a person wrote, parsed with a location on failure. Node 20's `JSON.parse` often says
 * only "Unexpected token '}'" with no position, and "at position 812" when it does: neither
 * is where an editor goes. On failure the text is scanned again by the small recogniser
 * below, which stops at the first byte that cannot continue a JSON text and says what it
 * expected there, as `line:column` (both 1-based).
 */

/** A parsed text, or where and why it is not JSON. */
export type JsonText = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly line: number; readonly column: number; readonly problem: string };

/** Parses `text` (a leading byte-order mark is ignored, as editors write one). */
export function parseJsonText(text: string): JsonText {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const { offset, problem } = firstError(body) ?? { offset: body.length, problem: (error as Error).message };
    const before = body.slice(0, offset).split("\n");
    return { ok: false, line: before.length, column: before.at(-1)!.length + 1, problem };
  }
}

class Stop {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

/** The offset of the first error in `s` and what was expected there; undefined if `s` is JSON. */
function firstError(s: string): { offset: number; problem: string } | undefined {
  let i = 0;
  const stop = (problem: string): never => {
    throw new Stop(i, i >= s.length ? `${problem}, but the text ends` : `${problem}, found ${JSON.stringify(s[i])}`);
  };
  const space = () => {
    while (i < s.length && " \t\n\r".includes(s[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (s[i] !== ch) stop(`expected '${word}'`);
      i++;
    }
  };
  const digits = (what: string) => {
    if (!/[0-9]/.test(s[i] ?? "")) stop(`expected a digit ${what}`);
    while (/[0-9]/.test(s[i] ?? "")) i++;
  };
  const number = () => {
    if (s[i] === "-") i++;
    if (s[i] === "0") i++;
    else digits("in the number");
    if (s[i] === ".") (i++, digits("after the decimal point"));
    if (s[i] === "e" || s[i] === "E") {
      i++;
      if (s[i] === "+" || s[i] === "-") i++;
      digits("in the exponent");
    }
  };
  const string = () => {
    i++;
    for (;;) {
      const ch = s[i];
      if (ch === undefined) stop("expected '\"' to close the string");
      if (ch === '"') return void i++;
      if (ch! < " ") stop("expected '\"' to close the string (a string cannot span lines; write \\n)");
      if (ch === "\\") {
        i++;
        if (s[i] === "u") {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(s[i] ?? "")) stop("expected 4 hex digits after \\u");
        } else if (s[i] !== undefined && '"\\/bfnrt'.includes(s[i]!)) i++;
        else stop("expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
      } else i++;
    }
  };
  const list = (close: string, item: () => void, what: string) => {
    i++;
    space();
    if (s[i] === close) return void i++;
    for (;;) {
      item();
      space();
      if (s[i] === close) return void i++;
      if (s[i] !== ",") stop(`expected ',' or '${close}' after ${what}`);
      i++;
      space();
      if (s[i] === close) stop(`expected ${what} after ',' (JSON has no trailing commas)`);
    }
  };
  const value = (): void => {
    space();
    const ch = s[i];
    if (ch === "{") {
      list("}", () => {
        if (s[i] !== '"') stop("expected a property name in double quotes");
        string();
        space();
        if (s[i] !== ":") stop("expected ':' after the property name");
        i++;
        value();
      }, "a property");
    } else if (ch === "[") list("]", value, "an element");
    else if (ch === '"') string();
    else if (ch === "t") literal("true");
    else if (ch === "f") literal("false");
    else if (ch === "n") literal("null");
    else if (ch === "-" || /[0-9]/.test(ch ?? "")) number();
    else stop("expected a value (an object, array, string, number, true, false or null)");
  };
  try {
    value();
    space();
    if (i < s.length) stop("expected the end of the text after the value");
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return { offset: error.offset, problem: error.problem };
    throw error;
  }
}
