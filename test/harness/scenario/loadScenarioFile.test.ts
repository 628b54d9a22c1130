import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, isScenarioPath } from "../../../src/harness/scenario/loadScenarioFile.ts";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";

const EXAMPLES = join(import.meta.dirname, "../../../examples/scenarios");
const REGRESSIONS = join(import.meta.dirname, "../../../scenarios/regressions");

/** A folder holding these files, for loading them by relative path. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "racelab-scenario-file-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const idle = ScenariosMap["idle-prompt-async"];

describe("scenario files", () => {
  it("tell paths from built-in names", () => {
    for (const path of ["./x", "../x", "/abs/x", "x.json", "dir/x.ts", "x.mts", "x.js", "x.mjs"]) expect(isScenarioPath(path)).toBe(true);
    for (const name of Object.keys(ScenariosMap)) expect(isScenarioPath(name)).toBe(false);
  });

  it("load a JSON scenario, validated as a built-in one is (defaults filled in)", async () => {
    const scenario = await loadScenarioFile("./my-idle-prompt-async.json", { cwd: EXAMPLES });
    expect(scenario.name).toBe("my-idle-prompt-async");
    expect(scenario.clients.map((c) => c.name)).toEqual(["author", "reviewer"]);
    const bare = await loadScenarioFile("./s.json", { cwd: folder({ "s.json": JSON.stringify({ name: "bare", sessions: ["s1"], clients: idle.clients }) }) });
    expect(bare).toEqual({ ...idle, name: "bare", description: "", llm: {} });
  });

  it("load a TypeScript module's default export, and a named `scenario` export", async () => {
    expect((await loadScenarioFile("./review-during-tool-turn.ts", { cwd: EXAMPLES })).name).toBe("review-during-tool-turn");
    const dir = folder({ "named.mts": `export const scenario = ${JSON.stringify({ ...idle, name: "named" })};\nexport const other = 1;\n` });
    expect(await loadScenarioFile("./named.mts", { cwd: dir })).toEqual({ ...idle, name: "named" });
  });

  it("take a schedule file's embedded scenario: what fuzz --save wrote explores again", async () => {
    const name = "fuzz-1-0--upstream--cancel-stops-run--seed1-run0.json";
    const saved = JSON.parse(readFileSync(join(REGRESSIONS, name), "utf8"));
    expect(await loadScenarioFile(`./${name}`, { cwd: REGRESSIONS })).toEqual(saved.scenario);
  });

  it("reject a schedule file whose scenario is broken, naming it as the schedule's", async () => {
    const dir = folder({ "s.json": JSON.stringify({ kind: "racelab-schedule", scenario: { name: "x" } }) });
    await expect(loadScenarioFile("./s.json", { cwd: dir })).rejects.toThrow(/^the scenario in schedule file '\.\/s\.json' is malformed: sessions: missing; add it/);
  });
});
