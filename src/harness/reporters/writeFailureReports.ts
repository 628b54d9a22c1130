import { ensureDirectory, writeOutputFile } from "../output/writeOutput.ts";
import { join } from "node:path";
import type { FailureReport } from "./FailureReport.ts";
import { FailureReportersMap, type BuiltinFailureReporter } from "./index.ts";

/**
 * Writes a failure with every reporter of {@link FailureReportersMap}: `<dir>/<name>.html` and
 * `<dir>/<name>.trace.json` (creating `dir` as needed), and returns their paths. The name is
 * used as a file stem: characters other than letters, digits, `.`, `_`, `+` and `-` become
 * `_`, so a name can never reach outside `dir`.
 */
export function writeFailureReports(dir: string, report: FailureReport): { html: string; trace: string } {
  ensureDirectory(dir, "--out");
  const stem = report.name.replace(/[^A-Za-z0-9._+-]/g, "_").replace(/^\.+/, "_") || "failure";
  const paths = {} as Record<BuiltinFailureReporter, string>;
  for (const [name, reporter] of Object.entries(FailureReportersMap) as [BuiltinFailureReporter, (typeof FailureReportersMap)[BuiltinFailureReporter]][]) {
    const path = join(dir, `${stem}${reporter.extension}`);
    writeOutputFile(path, reporter.render(report), "--out");
    paths[name] = path;
  }
  return { html: paths.html, trace: paths["chrome-trace"] };
}
