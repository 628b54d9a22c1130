import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli } from "./support/cli.ts";

/** The first sample run the README shows: the command, then its printed output in a fenced block. */
function readmeSample(): { argv: string[]; output: string } {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf("## A found race, step by step"));
  const command = /`npx racelab (explore [^`]+)`/.exec(section)![1]!;
  const output = /```\n([\s\S]*?)```/.exec(section)![1]!;
  return { argv: command.split(" "), output };
}

/** Timing varies by machine; everything else the command prints must match. */
const untimed = (text: string) => text.replace(/^ {2}\d+ ms, \d+ schedules\/s, /m, "  <ms>, <schedules/s>, ").trimEnd();

describe("README", () => {
  it("shows what 'racelab explore idle-prompt-async --runner upstream --runs 2000 --seed 1' prints", async () => {
    const { argv, output } = readmeSample();
    const r = await cli(...argv);
    expect(r.code).toBe(1);
    expect(untimed(r.out)).toBe(untimed(output));
  });
});
