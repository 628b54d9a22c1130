import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * A runner that throws where nothing awaits it. Run in a child process: the rejection is
 * unhandled by design, and vitest's own listener would count it against this test file.
 */
const THROWING_RUNNER = `
export default {
  name: "throws-detached",
  description: "prompt_async fails in detached work; its timer callback throws too",
  create: (port) => ({
    async prompt(input) { await port.point(input.request + " work"); return {}; },
    promptAsync(input) {
      void (async () => {
        await port.point(input.request + " detached");
        throw new Error("boom in detached work of " + input.request);
      })();
    },
    async cancel() {},
  }),
};
`;

function racelab(...args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, ["bin/racelab.mjs", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    return { code: 0, out };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
}

describe("a runner that throws where nothing awaits it", () => {
  it("is a runner-error finding with the error's message (exit 1), not a crash of racelab (exit 70), and it replays", () => {
    const dir = mkdtempSync(join(tmpdir(), "racelab-uncaught-"));
    const runner = join(dir, "throws.mjs");
    writeFileSync(runner, THROWING_RUNNER);
    const r = racelab("explore", "idle-prompt-async", "--runner", runner, "--out", dir, "--no-shrink");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/runner-error: the runner threw where nothing awaits it \(an unhandled rejection or a timer callback\): Error: boom in detached work of b1/);
    expect(r.out).not.toMatch(/internal error/);
    const file = /Reproduce:\s+npx racelab replay (\S+)/.exec(r.out)![1]!;
    const again = racelab("replay", file);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/reproduced: .*runner-error/);
  });
});
