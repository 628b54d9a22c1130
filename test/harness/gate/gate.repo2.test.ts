import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILTIN_EXPECTATIONS, readExpectations } from "../../../src/harness/gate/expectations.ts";
import { gateChecks } from "../../../src/harness/gate/runGate.ts";
import { selectShard } from "../../../src/harness/gate/shard.ts";
import { cli } from "../../support/cli.ts";

// The whole gate on this repository, in two shards (this is shard 2/2; gate.repo1.test.ts
// is the other): vitest runs the two files at once, and their union is the whole gate.
describe("racelab gate on this repository, shard 2/2", () => {
  it("holds: every row of scenarios/expectations.json and every saved regression of this shard", async () => {
    const reports = mkdtempSync(join(tmpdir(), "racelab-gate-"));
    const r = await cli("gate", "--shard", "2/2", "--reports", reports);
    const expected = selectShard(gateChecks(await readExpectations(BUILTIN_EXPECTATIONS), "scenarios/regressions"), { index: 2, count: 2 }).length;
    expect(r.out).toMatch(new RegExp(`✓ gate: all ${expected} expectations hold \\(shard 2/2\\)`));
    expect(r.code).toBe(0);
    const junit = readFileSync(join(reports, "junit.xml"), "utf8");
    expect(junit.match(/<testcase /g)).toHaveLength(expected);
  }, 600_000);
});
