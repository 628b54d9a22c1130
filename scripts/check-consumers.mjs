#!/usr/bin/env node
// Checks racelab as other projects get it: packs the package (`npm pack`), installs the
// tarball into fresh temporary projects and uses it there, the way their developers would.
// Part of `npm test` (run it after `npm run build`). Five consumers:
//   esm        plain ESM JavaScript: import('racelab'), `npx racelab list`, an explore
//   typescript strict NodeNext TypeScript: `tsc --noEmit` over racelab's types and a TS runner module,
//              and an Effect runner module through racelab/effect on the project's own `effect`
//   commonjs   a CommonJS project (what `npm init -y` makes) whose runner module requires isInterrupted
//   vitest     a vitest suite with raceTest from racelab/vitest
//   gate       `racelab gate` with the project's own expectations file, and the built-in table found without a path
// Exit 0 when every consumer works; otherwise 1, with what failed and its output.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const keep = process.env.RACELAB_KEEP_CONSUMERS === "1";
const work = mkdtempSync(join(tmpdir(), "racelab-consumers-"));
const version = (pkg) => JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")).version;
const started = Date.now();

/** Runs a command; returns its result, printing nothing unless it fails. */
function run(cwd, command, args, { expectCode = 0 } = {}) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  const code = r.status ?? -1;
  if (code !== expectCode) {
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-40).join("\n");
    throw new Error(`'${command} ${args.join(" ")}' in ${cwd} exited ${code}, expected ${expectCode}:\n${out}`);
  }
  return r;
}

function expectIn(text, pattern, what) {
  if (!pattern.test(text)) throw new Error(`${what}: expected ${pattern} in:\n${text.trim().split("\n").slice(-20).join("\n")}`);
}

/** A fresh project with racelab's tarball and `extra` packages installed. */
function project(name, packageJson, files, extra = []) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `consumer-${name}`, version: "1.0.0", private: true, ...packageJson }, null, 2));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  run(dir, "npm", ["install", tarball, ...extra, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"]);
  return dir;
}

// A runner module with racelab's correct design, as a user would write one over the port.
const fixedDesign = `{
  recheckBeforeBreak: false, pendingRestart: true, guardedDelete: true, truthfulIdle: true, answerByParent: true,
  completeMessagesOnly: true, cancelWatermark: true, cancelAwaitsExit: true, busyOnAccept: true, cancelTree: true, directWake: true,
}`;

const consumers = {
  esm() {
    const dir = project("esm", { type: "module" }, {});
    const typeOf = run(dir, "node", ["-e", "import('racelab').then(m => console.log(typeof m.explore))"]);
    if (typeOf.stdout.trim() !== "function") throw new Error(`import('racelab'): typeof explore is '${typeOf.stdout.trim()}', not 'function'`);
    const list = run(dir, "npx", ["racelab", "list"]);
    expectIn(list.stdout, /idle-prompt-async/, "npx racelab list");
    // No effect in this project: the Effect runners say what to install, in one line.
    const noEffect = run(dir, "npx", ["racelab", "explore", "idle-prompt-async", "--runner", "effect-upstream"], { expectCode: 2 });
    expectIn(noEffect.stderr, /^racelab: racelab\/effect needs the 'effect' package \(>=4\.0\.0-beta\.57 <4\.2\.0\); install it beside racelab: npm install effect\n$/, "an Effect runner without effect");
    const found = run(dir, "npx", ["racelab", "explore", "idle-prompt-async", "--runner", "upstream", "--runs", "2000", "--seed", "1"], { expectCode: 1 });
    expectIn(found.stdout, /every-message-answered/, "npx racelab explore on upstream");
    expectIn(found.stdout, /Reproduce: +npx racelab replay \S+/, "npx racelab explore on upstream");
    const file = /Reproduce: +npx racelab replay (\S+)/.exec(found.stdout)[1];
    run(dir, "npx", ["racelab", "replay", file], { expectCode: 1 });
    return "import('racelab') has explore; list; explore finds upstream's lost wake-up and its replay reproduces it";
  },

  typescript() {
    const dir = project(
      "typescript",
      { type: "module" },
      {
        "tsconfig.json": JSON.stringify({
          compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] },
          include: ["src"],
        }),
        "src/runner.ts": `import { createSessionRunner, isInterrupted, type RunnerDesign, type RunnerVariant } from "racelab";

const design: RunnerDesign = ${fixedDesign};

/** The correct design, through the port. */
const runner: RunnerVariant = {
  name: "mine",
  description: "a TypeScript runner module in a NodeNext project",
  create: (port) => {
    const inner = createSessionRunner(port, design);
    return {
      ...inner,
      cancel: async (sessionID: string, request: string) => {
        try {
          await inner.cancel(sessionID, request);
        } catch (error) {
          if (!isInterrupted(error)) throw error;
        }
      },
    };
  },
};
export default runner;
`,
        "src/use.ts": `import { explore, replay, RunnersMap, StrategiesMap, type ExploreResult, type RunnerPort, type Scenario, type TraceEvent } from "racelab";
import { raceTest } from "racelab/vitest";
import runner from "./runner.js";

export async function check(scenario: Scenario): Promise<ExploreResult> {
  const strategy = StrategiesMap.random({ seed: 1 });
  return explore({ scenario, runner, strategy, invariants: [], runs: 10, maxSteps: 100, keepGoing: false, concurrency: 1 });
}
export const steps = (trace: readonly TraceEvent[]): number => trace.length;
export const portOf = (p: RunnerPort): number => p.now();
export const names: string[] = Object.keys(RunnersMap);
export const replayOf = replay;
export const declare = raceTest;
`,
        "src/effect.ts": `import { Effect } from "effect";
import { designs, effectRunner, referenceServer, trace, type EffectSessionHandlers } from "racelab/effect";

/** The Effect reference server with the correct design, through racelab/effect. */
export default effectRunner({ name: "effect-mine", description: "an Effect runner module", make: referenceServer(designs.fixed) });

export const handlers: EffectSessionHandlers = {
  prompt: () => Effect.as(trace({ type: "wait.end", waiter: "x" }), {}),
  promptAsync: () => Effect.void,
  cancel: () => Effect.void,
};
`,
      },
      [`typescript@${version("typescript")}`, `@types/node@${version("@types/node")}`, `vitest@${version("vitest")}`, `effect@${version("effect")}`],
    );
    run(dir, "npx", ["tsc", "--noEmit", "-p", "."]);
    const ok = run(dir, "npx", ["racelab", "explore", "idle-prompt-async", "--runner", "./src/runner.ts", "--runs", "300", "--seed", "1"]);
    expectIn(ok.stdout, /no violation in 300 schedules/, "explore with the TS runner module");
    const effect = run(dir, "npx", ["racelab", "explore", "idle-prompt-async", "--runner", "./src/effect.ts", "--runs", "100", "--seed", "1"]);
    expectIn(effect.stdout, /no violation in 100 schedules/, "explore with an Effect runner module on the project's effect");
    const builtin = run(dir, "npx", ["racelab", "explore", "idle-prompt-async", "--runner", "effect-upstream", "--runs", "2000", "--seed", "1"], { expectCode: 1 });
    expectIn(builtin.stdout, /every-message-answered/, "explore effect-upstream on the project's effect");
    return "tsc --noEmit (strict, NodeNext, skipLibCheck off) over racelab's and racelab/effect's types; a TS runner module and an Effect one explore; effect-upstream fails";
  },

  commonjs() {
    const dir = project(
      "commonjs",
      {},
      {
        "runner.js": `const { createSessionRunner, isInterrupted } = require("racelab");

const design = ${fixedDesign};

module.exports = {
  name: "cjs",
  description: "a CommonJS runner module",
  create(port) {
    const inner = createSessionRunner(port, design);
    return {
      ...inner,
      async cancel(sessionID, request) {
        try {
          await inner.cancel(sessionID, request);
        } catch (error) {
          if (!isInterrupted(error)) throw error;
        }
      },
    };
  },
};
`,
        "runner-ts.ts": `import { createSessionRunner, isInterrupted, type RunnerVariant } from "racelab";

const variant: RunnerVariant = {
  name: "cjs-ts",
  description: "a TypeScript runner module in a CommonJS project",
  create: (port) => {
    if (typeof isInterrupted !== "function") throw new Error("isInterrupted is missing");
    return createSessionRunner(port, ${fixedDesign});
  },
};
export default variant;
`,
      },
    );
    for (const module of ["./runner.js", "./runner-ts.ts"]) {
      const ok = run(dir, "npx", ["racelab", "explore", "idle-prompt-async", "--runner", module, "--runs", "300", "--seed", "1"]);
      expectIn(ok.stdout, /no violation in 300 schedules/, `explore with ${module}`);
    }
    const broken = run(dir, "npx", ["racelab", "explore", "idle-prompt-async", "--runner", "upstream", "--runs", "2000"], { expectCode: 1 });
    expectIn(broken.stdout, /every-message-answered/, "explore on upstream");
    return "a CommonJS runner module (require) and a TS one that import isInterrupted both load and explore";
  },

  vitest() {
    const dir = project(
      "vitest",
      { type: "module", scripts: { test: "vitest run" } },
      {
        "race.test.js": `import { raceTest } from "racelab/vitest";

raceTest("upstream's lost wake-up stays caught", { scenario: "idle-prompt-async", runner: "upstream", expect: ["every-message-answered"], runs: 2000 });
raceTest("the fixed runner answers every prompt_async", { scenario: "idle-prompt-async", runner: "fixed", runs: 500 });
`,
      },
      [`vitest@${version("vitest")}`],
    );
    const r = run(dir, "npx", ["vitest", "run"]);
    expectIn(`${r.stdout}${r.stderr}`, /2 passed/, "vitest run");
    return "a vitest suite with two raceTests passes";
  },

  gate() {
    const dir = project(
      "gate",
      { type: "module" },
      {
        "runner.js": `import { createSessionRunner } from "racelab";
export default { name: "mine", description: "the project's runner", create: (port) => createSessionRunner(port, ${fixedDesign}) };
`,
        "racelab/expectations.json": JSON.stringify(
          {
            version: 1,
            seed: 1,
            runs: 2000,
            maxSteps: 1000,
            strategy: "portfolio",
            rows: [
              { scenario: "idle-prompt-async", runner: "../runner.js", expect: "pass" },
              { scenario: "idle-prompt-async", runner: "upstream", expect: ["every-message-answered", "prompt-gets-own-reply", "runner-map-integrity", "status-truthful"] },
            ],
          },
          null,
          2,
        ),
      },
      // racelab's own table has rows for the Effect runners: they run on the project's effect.
      [`effect@${version("effect")}`],
    );
    const own = run(dir, "npx", ["racelab", "gate", "--expectations", "racelab/expectations.json"]);
    expectIn(own.stdout, /✓ gate: all 3 expectations hold/, "gate with the project's own table");
    const builtin = run(dir, "npx", ["racelab", "gate", "--filter", "idle-prompt-async"]);
    expectIn(builtin.stdout, /✓ gate: all \d+ expectations hold/, "gate with the built-in table");
    return "gate with the project's own table (a runner path relative to it), and racelab's built-in table found without a path";
  },
};

let tarball;
let failed = 0;
try {
  const packed = run(root, "npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work]);
  const [info] = JSON.parse(packed.stdout);
  tarball = join(work, info.filename);
  const tests = info.files.filter((f) => f.path.startsWith("test/"));
  if (tests.length > 0) throw new Error(`the tarball ships ${tests.length} files from test/: ${tests[0].path} ...`);
  if (!info.files.some((f) => f.path === "dist/index.js")) throw new Error("the tarball has no dist/index.js: run 'npm run build' first");
  console.log(`consumers: packed ${info.filename} (${info.entryCount} files, none from test/)`);
  const only = process.argv.slice(2);
  for (const [name, check] of Object.entries(consumers)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const t = Date.now();
    try {
      const what = check();
      console.log(`consumers: ✓ ${name}: ${what} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed += 1;
      console.log(`consumers: ✗ ${name}: ${error.message}`);
    }
  }
} catch (error) {
  failed += 1;
  console.log(`consumers: ✗ ${error.message}`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`consumers: kept ${work}`);
}
console.log(failed === 0 ? `consumers: all passed in ${((Date.now() - started) / 1000).toFixed(1)} s` : `consumers: ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
