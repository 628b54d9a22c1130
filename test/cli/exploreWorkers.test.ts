import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../support/cli.ts";

const out = () => mkdtempSync(join(tmpdir(), "racelab-workers-"));

describe("explore --strategy dfs --workers", () => {
  it("splits the search over two threads and still lists one-loop-per-session on cancel-race (upstream, bound 1)", async () => {
    const r = await cli("explore", "cancel-race", "--runner", "upstream", "--strategy", "dfs", "--preemptions", "1", "--workers", "2", "--keep-going", "--no-shrink", "--out", out(), "--json");
    expect(r.code, r.err).toBe(1);
    const result = JSON.parse(r.out);
    expect(result.exhausted).toBe(true);
    expect(result.strategySummary.workers).toBe(2);
    expect(result.strategySummary.text).toMatch(/^DFS complete: all \d+ schedules with at most 1 preemptions explored \(split into \d+ subtrees at depth \d+, 2 workers\)/);
    expect(result.violations.map((v: { invariant: string }) => v.invariant)).toContain("one-loop-per-session");
  }, 120_000);

  it("refuses --workers with a strategy other than dfs, in one line (exit 2)", async () => {
    const r = await cli("explore", "cancel-race", "--runner", "upstream", "--strategy", "random", "--workers", "2");
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/--workers splits an exhaustive search: use it with --strategy dfs/);
  });
});
