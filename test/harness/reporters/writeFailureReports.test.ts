import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { chromeTrace } from "../../../src/harness/reporters/chromeTrace.ts";
import { renderHtml } from "../../../src/harness/reporters/html.ts";
import { FailureReportersMap } from "../../../src/harness/reporters/index.ts";
import { writeFailureReports } from "../../../src/harness/reporters/writeFailureReports.ts";
import { evilReport, realFailure } from "./support.ts";

describe("writeFailureReports (idle-prompt-async, upstream, seed 1)", () => {
  it("creates the directory and writes <name>.html and <name>.trace.json with every reporter's output", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const dir = join(mkdtempSync(join(tmpdir(), "racelab-reporters-")), "nested", "failures");
    const paths = writeFailureReports(dir, report);
    expect(paths).toEqual({ html: join(dir, `${report.name}.html`), trace: join(dir, `${report.name}.trace.json`) });
    expect(readFileSync(paths.html, "utf8")).toBe(renderHtml(report));
    expect(JSON.parse(readFileSync(paths.trace, "utf8"))).toEqual(chromeTrace(report));
  });

  it("writes one file per reporter of the map, named by its extension", () => {
    expect(Object.keys(FailureReportersMap)).toEqual(["html", "chrome-trace"]);
    expect(Object.values(FailureReportersMap).map((r) => r.extension)).toEqual([".html", ".trace.json"]);
  });

  it("keeps a name with path separators inside the directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "racelab-reporters-"));
    const paths = writeFailureReports(dir, { ...evilReport(), name: "../../escape/<x>" });
    for (const path of [paths.html, paths.trace]) {
      expect(dirname(path)).toBe(dir);
      expect(existsSync(path)).toBe(true);
    }
    expect(basename(paths.html)).toBe("__.._escape__x_.html");
  });
});
