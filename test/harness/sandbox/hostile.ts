import { createServer, type Server } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

/**
 * The hostile runner modules under test/fixtures/runners, with what racelab must make of each.
 * `flags` keep the tests bounded: a small step budget, and a small heap where memory is the point.
 */
export interface Hostile {
  readonly file: string;
  /** Exit code of explore and fuzz on it: 1 a finding, 0 virtualised (and passing), 2 a load error. */
  readonly code: 0 | 1 | 2;
  /** The finding (invariant name) or the load error's text. */
  readonly finding?: RegExp;
  readonly flags: readonly string[];
}

// Generous enough for a loaded CI machine (the first step also runs the module's first-time code).
const STEP = ["--step-timeout", "1500"];

export const HOSTILE: Record<string, Hostile> = {
  spin: { file: fixture("spin"), code: 1, finding: /runner-timeout/, flags: STEP },
  flood: { file: fixture("flood"), code: 1, finding: /runner-timeout/, flags: [...STEP, "--memory-limit", "1024"] },
  memory: { file: fixture("memory"), code: 1, finding: /runner-oom/, flags: [...STEP, "--memory-limit", "64"] },
  "math-random": { file: fixture("math-random"), code: 0, flags: STEP },
  "date-now": { file: fixture("date-now"), code: 0, flags: STEP },
  "real-timeout": { file: fixture("real-timeout"), code: 1, finding: /nondeterminism/, flags: STEP },
  "fetch-local": { file: fixture("fetch-local"), code: 1, finding: /nondeterminism/, flags: STEP },
  "flaky-random": { file: fixture("flaky-random"), code: 1, finding: /every-message-answered/, flags: STEP },
  "module-state": { file: fixture("module-state"), code: 1, finding: /nondeterminism/, flags: STEP },
  "throwing-create": { file: fixture("throwing-create"), code: 1, finding: /runner-error/, flags: STEP },
  "malformed-event": { file: fixture("malformed-event"), code: 1, finding: /runner-error/, flags: STEP },
  "syntax-error": { file: fixture("syntax-error"), code: 2, finding: /test\/fixtures\/runners\/syntax-error\.ts:3:\d+: /, flags: STEP },
};

function fixture(name: string): string {
  return `test/fixtures/runners/${name}.ts`;
}

export const outDir = () => mkdtempSync(join(tmpdir(), "racelab-hostile-"));

/** Runs a local HTTP server for the fetch fixture (FIXTURE_SERVER) around the tests of a describe. */
export function withLocalServer(): void {
  let server: Awaited<ReturnType<typeof localServer>> | undefined;
  beforeAll(async () => {
    server = await localServer();
  });
  afterAll(() => server?.close());
}

/** A local HTTP server for the fetch fixture (FIXTURE_SERVER), so its fetch has somewhere to go. */
async function localServer(): Promise<{ server: Server; close: () => Promise<void> }> {
  const server = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address && typeof address === "object") process.env.FIXTURE_SERVER = `http://127.0.0.1:${address.port}/`;
  return { server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
