import { resolve } from "node:path";
import type { RunObserver } from "../../subjects/observers/RunObserver.ts";
import { isUserPath, loadUserExport, toSpec, type ExportKind } from "./userExport.ts";

/** Whether an `--observer` value names a file rather than a built-in observer. */
export const isObserverPath: (spec: string) => boolean = isUserPath;

const OBSERVER_HELP =
  "an observer module default-exports a RunObserver ({ name, description, run(ctx) }), or an async function run(ctx); " +
  "see 'A run command of your own' in racelab's README";

type Picked = { readonly description: string; readonly run: RunObserver["run"] };

const OBSERVER: ExportKind<Picked> = {
  what: "observer module",
  named: "observer",
  plural: "observers",
  is: isObserver,
  from: (x) => {
    if (isObserver(x)) return { description: String(x.description ?? ""), run: x.run.bind(x) };
    if (typeof x === "function") return { description: "", run: x as RunObserver["run"] };
    return undefined;
  },
  help: OBSERVER_HELP,
  notOne: "is not a run command observer",
};

/**
 * Loads a user's `run` command logic from a TypeScript or JavaScript module: `export default
 * observer`, `export default async function (ctx)`, `export const observer = ...`, or a module
 * whose only export is one. It is named by its path as given relative to the working directory
 * (`./my-run.ts`), which schedule files record, so `replay` loads it again.
 */
export async function loadObserverModule(spec: string, cwd = process.cwd()): Promise<RunObserver> {
  const { value: picked, shown } = await loadUserExport(spec, OBSERVER, cwd);
  return { name: shown, description: picked.description || `run command from ${shown}`, run: picked.run };
}

/** The name an observer module gets (what schedule files record), without loading it. */
export function observerSpecOf(spec: string, cwd = process.cwd()): string {
  return isObserverPath(spec) ? toSpec(resolve(cwd, spec), cwd) : spec;
}

function isObserver(x: unknown): x is RunObserver {
  return typeof x === "object" && x !== null && typeof (x as RunObserver).run === "function";
}
