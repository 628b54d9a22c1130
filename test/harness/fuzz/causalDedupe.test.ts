import { describe, expect, it } from "vitest";
import { cli } from "../../support/cli.ts";
import { copyOfReferenceRunner, haltPublishesIdle, neverSetsPending, tmp, unchanged } from "./support.ts";

/** `racelab fuzz --json` on a runner module: seed 1, two workers, a step budget a loaded machine meets. */
async function fuzz(runner: string, scenarios: number) {
  const r = await cli("fuzz", "--runner", runner, "--scenarios", String(scenarios), "--seed", "1", "--workers", "2", "--step-timeout", "30000", "--out", tmp(), "--json");
  return { code: r.code, json: JSON.parse(r.out) as FuzzJson, err: r.err };
}

interface FuzzJson {
  readonly scenarios: number;
  readonly failingScenarios: number;
  readonly failures: readonly { signature: string; invariant: string; occurrences: number; seenAs: string[]; cause?: string; race?: string[] }[];
}

describe("fuzz deduplicates failures by the race's causal shape, not by the text of the explanation", () => {
  it("the fixed runner without its pending flag is one distinct failure under fuzz, whatever invariant sees it, and its cause names the join and the exit that did not read the message; the fixed runner passes the same run", async () => {
    const broken = await fuzz(copyOfReferenceRunner(neverSetsPending), 20);
    expect(broken.code, broken.err).toBe(1);
    expect(broken.json.scenarios).toBe(20);
    expect(broken.json.failingScenarios).toBeGreaterThan(1);
    expect(broken.json.failures.map((f) => f.signature)).toHaveLength(1);
    const [f] = broken.json.failures;
    expect(f!.occurrences).toBe(broken.json.failingScenarios);
    // One race seen through several invariants (a message never answered, a prompt that got
    // another's reply, a child's result never answered) is still one failure.
    expect(f!.seenAs.length).toBeGreaterThan(1);
    expect(f!.signature).toMatch(/^race@[0-9a-f]{10}$/);
    const chain = /(\S+) stored (\S+) whole at (\d+) -> \1 joined (\S+) at (\d+) -> \4 exited without reading \2 at (\d+)/.exec(f!.cause ?? "");
    expect(chain, f!.cause).not.toBeNull();
    expect(Number(chain![3])).toBeLessThan(Number(chain![5]));
    expect(Number(chain![5])).toBeLessThan(Number(chain![6]));
    // The race it rests on: the run read before the message was stored, and the join came before the exit.
    expect(f!.race).toHaveLength(2);
    expect(f!.race![0]).toMatch(/^run:.* -store r>w-> prompt:store whole$/);
    expect(f!.race![1]).toMatch(/^prompt:join -runners \S+-> run:exit$/);

    const intact = await fuzz(copyOfReferenceRunner(unchanged), 20);
    expect(intact.code, intact.err).toBe(0);
    expect(intact.json.failures).toEqual([]);
  }, 300_000);

  it("the fixed runner whose halt publishes idle: an interrupt's halt and an LLM error's halt are two signatures, each seen more than once; the fixed runner passes the same run", async () => {
    const broken = await fuzz(copyOfReferenceRunner(haltPublishesIdle, "loop.ts"), 16);
    expect(broken.code, broken.err).toBe(1);
    // The idle it publishes too early is status-truthful's; every invariant is checked, so what
    // follows from it (an observer that stops while a child still runs) is reported beside it.
    const truthful = broken.json.failures.filter((f) => f.invariant === "status-truthful");
    expect(truthful, JSON.stringify(broken.json.failures, null, 1)).toHaveLength(2);
    const interrupt = truthful.filter((f) => /interrupted a wait at \d+ -> (\S+) published idle for \S+ while runner \S+ is Running \1 at \d+$/.test(f.cause ?? ""));
    const error = truthful.filter((f) => /^(\S+)'s LLM step replied error at \d+ -> \1 published idle for \S+ while runner \S+ is Running \1 at \d+$/.test(f.cause ?? ""));
    expect(interrupt, JSON.stringify(broken.json.failures, null, 1)).toHaveLength(1);
    expect(error, JSON.stringify(broken.json.failures, null, 1)).toHaveLength(1);
    expect(interrupt[0]!.signature).not.toBe(error[0]!.signature);
    // A client's cancel and the run command's dispose interrupt alike: one race.
    expect(interrupt[0]!.occurrences).toBeGreaterThan(1);
    expect(error[0]!.occurrences).toBeGreaterThan(1);
    expect(new Set(broken.json.failures.map((f) => f.signature)).size).toBe(broken.json.failures.length);

    const intact = await fuzz(copyOfReferenceRunner(unchanged), 16);
    expect(intact.code, intact.err).toBe(0);
    expect(intact.json.failures).toEqual([]);
  }, 300_000);
});
