import { readFileSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { parseJsonText } from "../../boundaries/loaders/jsonText.ts";
import { InputError } from "../errors.ts";
import { loadScenarioModule } from "../sandbox/loadScenarioModule.ts";
import { resolveLimits, type Limits } from "../sandbox/limits.ts";
import { parseScenario } from "./parseScenario.ts";
import type { Scenario } from "./schema.ts";

const MODULE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const KINDS = "a .json scenario or schedule file, or a .ts/.js module that exports a scenario";

/**
 * Whether a scenario argument names a file rather than a built-in scenario. Built-in names are
 * lowercase words and dashes, so anything that starts like a path or ends like a file is one.
 */
export function isScenarioPath(spec: string): boolean {
  return /^\.\.?[\\/]/.test(spec) || isAbsolute(spec) || /\.json$/.test(spec) || MODULE.test(spec);
}

/**
 * A scenario from a file, validated with the schema (and the messages) of the built-in ones:
 * JSON (a bare scenario, or a schedule file, whose embedded scenario is taken: so a file
 * `fuzz --save` wrote explores again), or a TypeScript/JavaScript module whose default export,
 * or `export const scenario`, is one (loaded in a worker thread, see loadScenarioModule.ts).
 * `spec` is relative to `cwd`. Every failure is one {@link InputError} line saying what to fix.
 */
export async function loadScenarioFile(spec: string, options: { cwd?: string; limits?: Limits } = {}): Promise<Scenario> {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, spec);
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw new InputError(`cannot read scenario file '${spec}': ${unreadable(error)}`);
    throw new InputError(`scenario file '${spec}' not found (looked at ${path}); pass ${KINDS}; or a built-in scenario's name (see 'racelab list')`);
  }
  if (stat.isDirectory()) throw new InputError(`scenario file '${spec}' is a folder; pass ${KINDS} inside it`);
  if (MODULE.test(path)) return loadScenarioModule(path, spec, cwd, options.limits ?? resolveLimits());
  if (!/\.json$/.test(path)) throw new InputError(`scenario file '${spec}': racelab reads ${KINDS}; name it .json, or .ts/.js for a module`);
  return readScenarioJson(path, spec, cwd);
}

function readScenarioJson(path: string, spec: string, cwd: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InputError(`cannot read scenario file '${spec}': ${unreadable(error)}`);
  }
  const json = parseJsonText(text);
  if (!json.ok) {
    // file:line:column, as compile errors of modules are shown, so an editor can jump there.
    const shown = relative(cwd, path) || path;
    throw new InputError(`scenario file '${spec}' is not valid JSON: ${shown}:${json.line}:${json.column}: ${json.problem}`);
  }
  const data = json.value as { kind?: unknown; scenario?: unknown } | null;
  if (typeof data === "object" && data !== null && data.kind === "racelab-schedule") {
    return parseScenario(data.scenario, `the scenario in schedule file '${spec}'`);
  }
  return parseScenario(data, `scenario file '${spec}'`);
}

/** Why a file cannot be read, in a few words (Node's message is `CODE: what, syscall 'path'`). */
function unreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") return "permission denied; check the file's permissions";
  return (error as Error).message.split(",")[0] ?? String(error);
}
