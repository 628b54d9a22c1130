/** One test case of a JUnit report. */
export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly timeMs: number;
  /** Present when the case failed: a one-line message and the full text (timeline, replay command). */
  readonly failure?: { readonly message: string; readonly body: string };
  /** Present when the case was skipped: why. */
  readonly skipped?: string;
}

/**
 * A JUnit XML report (the de-facto schema CI servers read, as written by Ant's and Maven
 * Surefire's JUnit reporters): `<testsuites>` around one `<testsuite>` with its counts and
 * total time in seconds, one `<testcase>` per case with a `<failure>` or `<skipped>` child.
 * Every text is XML-escaped, and characters XML 1.0 does not allow (control characters,
 * lone surrogates, U+FFFE/U+FFFF) are dropped, so the output always parses.
 */
export function renderJunit(suite: string, cases: readonly JunitCase[]): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const skipped = cases.filter((c) => c.failure === undefined && c.skipped !== undefined).length;
  const time = seconds(cases.reduce((sum, c) => sum + Math.max(0, c.timeMs), 0));
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}"`;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${attr(suite)}" ${counts}>`,
    `  <testsuite name="${attr(suite)}" ${counts}>`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${attr(c.classname)}" name="${attr(c.name)}" time="${seconds(c.timeMs)}"`;
    if (c.failure !== undefined) {
      lines.push(`${open}>`, `      <failure message="${attr(c.failure.message)}" type="AssertionError">${body(c.failure.body)}</failure>`, "    </testcase>");
    } else if (c.skipped !== undefined) {
      lines.push(`${open}>`, `      <skipped message="${attr(c.skipped)}"/>`, "    </testcase>");
    } else {
      lines.push(`${open}/>`);
    }
  }
  lines.push("  </testsuite>", "</testsuites>");
  return `${lines.join("\n")}\n`;
}

/** Milliseconds as JUnit's seconds with three decimals (never negative, never NaN). */
function seconds(ms: number): string {
  return Number.isFinite(ms) && ms > 0 ? (ms / 1000).toFixed(3) : "0.000";
}

/**
 * What XML 1.0 allows: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
 * With the `u` flag a lone surrogate is one code point in D800-DFFF, outside the set.
 */
const ILLEGAL_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Element content: `&`, `<`, `>` escaped (`>` for `]]>`). */
function body(s: string): string {
  return s.replace(ILLEGAL_XML, "").replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

/** A double-quoted attribute value; tabs and newlines as character references so they survive normalisation. */
function attr(s: string): string {
  return s.replace(ILLEGAL_XML, "").replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ENTITIES[c]!);
}

const ATTRIBUTE_ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};
