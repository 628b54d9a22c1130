import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { InputError } from "../../harness/errors.ts";
import type { RunObserver } from "../../subjects/observers/RunObserver.ts";
import { importUserModule } from "./userModules.ts";
import { isRunnerPath, loadErrorOf, toSpec } from "./loadRunnerModule.ts";

/** Whether an `--observer` value names a file rather than a built-in observer. */
export const isObserverPath: (spec: string) => boolean = isRunnerPath;

const OBSERVER_HELP =
  "an observer module default-exports a RunObserver ({ name, description, run(ctx) }), or an async function run(ctx); " +
  "see 'A run command of your own' in racelab's README";

/**
 * Loads a user's `run` command logic from a TypeScript or JavaScript module: `export default
 * observer`, `export default async function (ctx)`, `export const observer = ...`, or a module
 * whose only export is one. It is named by its path as given relative to the working directory
 * (`./my-run.ts`), which schedule files record, so `replay` loads it again.
 */
export async function loadObserverModule(spec: string, cwd = process.cwd()): Promise<RunObserver> {
  const path = resolve(cwd, spec);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InputError(`observer module '${spec}' not found (looked at ${path}); pass a path to a .ts or .js file, or a built-in observer name`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(path);
  } catch (error) {
    throw new InputError(`observer module '${spec}' failed to load: ${loadErrorOf(error, cwd)}`);
  }
  const shown = toSpec(path, cwd);
  const picked = pickObserver(mod, spec);
  return { name: shown, description: picked.description || `run command from ${shown}`, run: picked.run };
}

/** The name an observer module gets (what schedule files record), without loading it. */
export function observerSpecOf(spec: string, cwd = process.cwd()): string {
  return isObserverPath(spec) ? toSpec(resolve(cwd, spec), cwd) : spec;
}

function isObserver(x: unknown): x is RunObserver {
  return typeof x === "object" && x !== null && typeof (x as RunObserver).run === "function";
}

function pickObserver(mod: Record<string, unknown>, spec: string): { readonly description: string; readonly run: RunObserver["run"] } {
  const fromValue = (x: unknown) => {
    if (isObserver(x)) return { description: String(x.description ?? ""), run: x.run.bind(x) };
    if (typeof x === "function") return { description: "", run: x as RunObserver["run"] };
    return undefined;
  };
  const chosen = fromValue(mod.default) ?? (isObserver(mod.observer) ? fromValue(mod.observer) : undefined);
  if (chosen) return chosen;
  const observers = Object.entries(mod).filter(([, v]) => isObserver(v));
  if (observers.length === 1) return fromValue(observers[0]![1])!;
  const exported = Object.keys(mod).join(", ") || "nothing";
  const which = observers.length > 1 ? `it exports several observers (${observers.map(([k]) => k).join(", ")}) and no default` : `it exports ${exported}`;
  throw new InputError(`observer module '${spec}' is not a run command observer: ${which}; ${OBSERVER_HELP}`);
}
