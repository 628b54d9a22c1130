import { existsSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { importUserModule } from "./userModules.ts";
import { InputError } from "../../harness/errors.ts";
import type { RunnerPort, RunnerVariant, SessionRunner } from "../port.ts";

/** Whether a `--runner` value names a file rather than a built-in variant. */
export function isRunnerPath(spec: string): boolean {
  return spec.startsWith(".") || isAbsolute(spec) || /\.(ts|mts|js|mjs)$/.test(spec);
}

const REQUIRED = ["prompt", "promptAsync", "cancel"] as const;
const PORT_HELP =
  "a runner module exports a RunnerVariant ({ name, description, create(port) => SessionRunner }) as its default export " +
  "(or a factory function `(port) => SessionRunner`); see 'A runner of your own' in racelab's README";

/**
 * Loads a user's runner from a TypeScript or JavaScript module (see {@link importUserModule}: `.ts`
 * works without a build). Accepted shapes, in this order: `export default variant`,
 * `export default (port) => runner`, `export const runner = variant`, or a module whose only
 * export is a variant. The variant is renamed to `spec` as given (`./my-runner.ts`), so a
 * schedule file records where the runner came from and `replay` can load it again.
 *
 * The module is checked against the port at once: `create` is called with an inert port
 * (no point ever resolves) and the result must have `prompt`, `promptAsync` and `cancel`.
 * Anything else is an {@link InputError} saying what is missing.
 */
export async function loadRunnerModule(spec: string, cwd = process.cwd()): Promise<RunnerVariant> {
  const path = resolve(cwd, spec);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InputError(`runner module '${spec}' not found (looked at ${path}); pass a path to a .ts or .js file, or a built-in runner name`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(path);
  } catch (error) {
    throw new InputError(`runner module '${spec}' failed to load: ${loadErrorOf(error, cwd)}`);
  }
  const variant = pickVariant(mod, spec);
  checkImplementsPort(variant, spec);
  const shown = toSpec(path, cwd);
  return { ...variant, name: shown, description: variant.description || `runner from ${shown}` };
}

/** The name a runner module gets (what schedule files record), from a `--runner` path, without loading it. */
export function runnerSpecOf(spec: string, cwd = process.cwd()): string {
  return isRunnerPath(spec) ? toSpec(resolve(cwd, spec), cwd) : spec;
}

/** A path as recorded in schedule files: relative to cwd, starting with `./` (absolute when outside it). */
export function toSpec(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  if (rel.startsWith("..") || isAbsolute(rel)) return path;
  return `./${rel.split("\\").join("/")}`;
}

function isVariant(x: unknown): x is RunnerVariant {
  return typeof x === "object" && x !== null && typeof (x as RunnerVariant).create === "function";
}

function pickVariant(mod: Record<string, unknown>, spec: string): RunnerVariant {
  const fromValue = (x: unknown): RunnerVariant | undefined => {
    if (isVariant(x)) return { ...x, name: String(x.name ?? spec), description: String(x.description ?? "") };
    if (typeof x === "function") return { name: spec, description: "", create: x as RunnerVariant["create"] };
    return undefined;
  };
  const chosen = fromValue(mod.default) ?? (isVariant(mod.runner) ? fromValue(mod.runner) : undefined);
  if (chosen) return chosen;
  const variants = Object.entries(mod).filter(([, v]) => isVariant(v));
  if (variants.length === 1) return fromValue(variants[0]![1])!;
  const exported = Object.keys(mod).join(", ") || "nothing";
  const which = variants.length > 1 ? `it exports several runner variants (${variants.map(([k]) => k).join(", ")}) and no default` : `it exports ${exported}`;
  throw new InputError(`runner module '${spec}' does not implement the runner port: ${which}; ${PORT_HELP}`);
}

function checkImplementsPort(variant: RunnerVariant, spec: string): void {
  let runner: SessionRunner;
  try {
    runner = variant.create(inertPort());
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new InputError(`runner module '${spec}': create(port) threw (${why}); ${PORT_HELP}`);
  }
  if (typeof runner !== "object" || runner === null) {
    throw new InputError(`runner module '${spec}': create(port) returned ${runner === null ? "null" : typeof runner}, not a SessionRunner; ${PORT_HELP}`);
  }
  const missing = REQUIRED.filter((m) => typeof runner[m] !== "function");
  if (missing.length > 0) {
    throw new InputError(`runner module '${spec}': the runner create(port) returns lacks ${missing.join(", ")}; a SessionRunner needs prompt(input), promptAsync(input) and cancel(sessionID, request)`);
  }
}

/** A port on which nothing ever happens: enough to construct a runner and look at it. */
function inertPort(): RunnerPort {
  const never = () => new Promise<never>(() => {});
  const handle = { label: "inert" };
  return {
    point: never,
    now: () => 0,
    llm: never,
    trace: () => {},
    timers: {
      setTimeout: () => handle,
      clearTimeout: () => {},
      setInterval: () => handle,
      clearInterval: () => {},
      now: () => 0,
    },
  };
}

/**
 * What went wrong loading a module, in one line. A compile error (esbuild's, through tsx)
 * names the file, line and column and the message; anything else gives its first line.
 */
export function loadErrorOf(error: unknown, cwd = process.cwd()): string {
  const built = (error as { errors?: { text?: string; location?: { file?: string; line?: number; column?: number } | null }[] }).errors;
  const first = Array.isArray(built) ? built[0] : undefined;
  if (first?.text) {
    const at = first.location;
    const where = at?.file ? `${relative(cwd, resolve(cwd, at.file)) || at.file}:${at.line ?? "?"}:${(at.column ?? 0) + 1}: ` : "";
    return `${where}${first.text}`;
  }
  if (error instanceof Error) {
    // tsx's transform error: "Transform failed with 1 error:\n<file>:<line>:<col>: ERROR: <message>".
    const detail = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(error.message);
    if (detail) return `${relative(cwd, detail[1]!) || detail[1]}:${detail[2]}:${Number(detail[3]) + 1}: ${detail[4]}`;
    // Vite's (when racelab runs from its sources inside vitest): "[PARSE_ERROR] <message>" and a "[ <file>:<line>:<col> ]" frame.
    const plain = error.message.replace(/\u001b\[[0-9;]*m/g, "");
    const parse = /\[([A-Z_]+)\]\s*(.+)/.exec(plain);
    const at = /\[\s*([^\s\]]+):(\d+):(\d+)\s*\]/.exec(plain);
    if (parse && at) return `${relative(cwd, resolve(cwd, at[1]!)) || at[1]}:${at[2]}:${at[3]}: ${parse[2]!.trim()}`;
    return `${error.name === "Error" ? "" : `${error.name}: `}${error.message.split("\n")[0]}`;
  }
  return String(error);
}
