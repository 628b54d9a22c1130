import { appendFileSync, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../errors.ts";

/**
 * Where racelab writes its output is the user's to choose, so a place it cannot write to is
 * bad input: one line naming the option, the path and the reason (exit 2), never a stack
 * trace. (The folder is made one level at a time: Node's recursive mkdir never returns on
 * some paths, such as under /proc.)
 */
export function ensureDirectory(dir: string, option: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let existing = target;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (existsSync(existing) && !statSync(existing).isDirectory()) {
    throw new InputError(`${option} ${dir}: ${existing} is a file, not a folder; give a folder to write into`);
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && statSync(path).isDirectory()) continue;
      throw new InputError(`${option} ${dir}: cannot create the folder ${path} (${reason(error)}); give a folder racelab can write into`);
    }
  }
}

/** Writes a file of racelab's output; a place that cannot be written is one line (exit 2). */
export function writeOutputFile(path: string, text: string, option: string): void {
  ensureDirectory(dirname(path), option);
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new InputError(`${option}: cannot write ${path} (${reason(error)})`);
  }
}

/** Appends to a file of the user's (a step summary); a file that cannot be appended to is one line. */
export function appendOutputFile(path: string, text: string, what: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`${what} ${path} is a folder; it must name a file to append the summary to`);
  if (!existsSync(dirname(resolve(path)))) throw new InputError(`${what} ${path}: the folder ${dirname(resolve(path))} does not exist`);
  try {
    appendFileSync(path, text);
  } catch (error) {
    throw new InputError(`${what} ${path}: cannot append to it (${reason(error)})`);
  }
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const what: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "not permitted",
    ENOTDIR: "a part of the path is a file",
    EROFS: "a read-only file system",
    ENOENT: "the path cannot exist there",
    ENOSPC: "no space left on the device",
    EISDIR: "it is a folder",
  };
  return e.code ? `${e.code}: ${what[e.code] ?? e.message}` : String(error);
}
