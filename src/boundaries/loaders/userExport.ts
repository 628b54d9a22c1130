import { existsSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { InputError } from "../../harness/errors.ts";
import { importUserModule } from "./userModules.ts";

/** Whether a `--runner` or `--observer` value names a file rather than a built-in name. */
export function isUserPath(spec: string): boolean {
  return spec.startsWith(".") || isAbsolute(spec) || /\.(ts|mts|js|mjs)$/.test(spec);
}

/** A path as recorded in schedule files: relative to cwd, starting with `./` (absolute when outside it). */
export function toSpec(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  if (rel.startsWith("..") || isAbsolute(rel)) return path;
  return `./${rel.split("\\").join("/")}`;
}

/** What a kind of user module exports, and how to tell it in a module's exports. */
export interface ExportKind<T> {
  /** "runner module", "observer module": how messages name the module. */
  readonly what: string;
  /** The named export looked at after `default`, and what built-ins are called (`runner`, `observer`). */
  readonly named: string;
  /** The plural noun for "it exports several ..." (`runner variants`). */
  readonly plural: string;
  /** Whether a value is one, as an object. */
  readonly is: (x: unknown) => boolean;
  /** The value as T: an object that `is` one, or a bare function (a factory or a run function). */
  readonly from: (x: unknown) => T | undefined;
  /** The sentence after "is not ...: it exports X;" telling how to export one. */
  readonly help: string;
  /** How the message says the module is not one ("does not implement the runner port"). */
  readonly notOne: string;
}

/**
 * Imports a user's module (see {@link importUserModule}: `.ts` works without a build) and
 * picks what it exports, in this order: the default export, the export named `kind.named`,
 * or the module's only export that is one. Every failure (no file, a load or compile error,
 * nothing that fits) is one {@link InputError} line naming `spec` as the user gave it.
 */
export async function loadUserExport<T>(spec: string, kind: ExportKind<T>, cwd = process.cwd()): Promise<{ readonly value: T; readonly shown: string }> {
  const path = resolve(cwd, spec);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InputError(`${kind.what} '${spec}' not found (looked at ${path}); pass a path to a .ts or .js file, or a built-in ${kind.named} name`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(path);
  } catch (error) {
    throw new InputError(`${kind.what} '${spec}' failed to load: ${loadErrorOf(error, cwd)}`);
  }
  const chosen = kind.from(mod.default) ?? (kind.is(mod[kind.named]) ? kind.from(mod[kind.named]) : undefined);
  if (chosen !== undefined) return { value: chosen, shown: toSpec(path, cwd) };
  const fitting = Object.entries(mod).filter(([, v]) => kind.is(v));
  if (fitting.length === 1) return { value: kind.from(fitting[0]![1])!, shown: toSpec(path, cwd) };
  const exported = Object.keys(mod).join(", ") || "nothing";
  const which = fitting.length > 1 ? `it exports several ${kind.plural} (${fitting.map(([k]) => k).join(", ")}) and no default` : `it exports ${exported}`;
  throw new InputError(`${kind.what} '${spec}' ${kind.notOne}: ${which}; ${kind.help}`);
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
