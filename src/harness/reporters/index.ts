import { chromeTrace } from "./chromeTrace.ts";
import type { FailureReport } from "./FailureReport.ts";
import { renderHtml } from "./html.ts";

/** A failure reporter: renders a failure to one file, `<name><extension>`. */
export interface FailureReporter {
  /** Appended to the report's name, dot included: `.html`, `.trace.json`. */
  readonly extension: string;
  /** Pure: the same report gives the same text (no clock, no randomness). */
  readonly render: (report: FailureReport) => string;
}

/**
 * The failure reporters by name (like vitest's `ReportersMap`): each failure gets one file
 * per reporter. `html`: a self-contained swimlane page; `chrome-trace`: the Chrome trace-event
 * JSON that Perfetto and chrome://tracing open.
 */
export const FailureReportersMap = {
  html: { extension: ".html", render: renderHtml },
  "chrome-trace": { extension: ".trace.json", render: (r: FailureReport) => JSON.stringify(chromeTrace(r)) },
} as const satisfies Record<string, FailureReporter>;

/** The name of a built-in failure reporter. */
export type BuiltinFailureReporter = keyof typeof FailureReportersMap;
