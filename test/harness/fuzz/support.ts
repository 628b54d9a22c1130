/** Shared helpers of the fuzz tests: copies of the reference runner with one line changed (mutants). */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";

/** A fresh temporary folder. */
export const tmp = () => mkdtempSync(join(tmpdir(), "racelab-fuzz-"));

/**
 * A copy of the reference runner (src/subjects/runner + src/boundaries/port.ts) in its own ESM
 * folder, with `edit` applied to `file` (a path inside src/subjects/runner), asserting that the
 * edit changed something. Returns the path of the copy's fixed variant module.
 */
export function copyOfReferenceRunner(edit: (source: string) => string, file = "Runner.ts"): string {
  const dir = tmp();
  cpSync("src/subjects/runner", join(dir, "subjects", "runner"), { recursive: true });
  cpSync("src/boundaries/port.ts", join(dir, "boundaries", "port.ts"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const path = join(dir, "subjects", "runner", file);
  const before = readFileSync(path, "utf8");
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  return join(dir, "subjects", "runner", "variants", "fixed.ts");
}

/** The fixed design's pending flag is never set: a prompt that joins a finishing run is lost (the lost wake-up). */
export const neverSetsPending = (s: string) => s.replace("if (this.ctx.design.pendingRestart) this.pending = true;", "// the pending flag is never set");

/** The fixed design's halt publishes idle as upstream's does, while the runner is still Running. */
export const haltPublishesIdle = (s: string) => s.replace("if (!ctx.design.truthfulIdle) await ctx.status.set(", "await ctx.status.set(");

/** An unchanged copy (a comment added, so the copy is a different file). */
export const unchanged = (s: string) => `${s}\n// an unchanged copy\n`;
