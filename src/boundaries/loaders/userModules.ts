import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

let registered: Promise<void> | undefined;

/**
 * Makes this thread able to import a user's TypeScript ES module. racelab itself runs as
 * compiled JavaScript; tsx is registered only here, the first time a user's module needs it,
 * and only in the thread that loads it (worker threads do not inherit loader hooks). Running
 * from racelab's own sources (its tests), `.ts` already loads and nothing is done.
 */
export function enableTypeScriptModules(): Promise<void> {
  registered ??= (async () => {
    if (import.meta.url.endsWith(".ts")) return;
    const { register } = await import("tsx/esm/api");
    register();
  })();
  return registered;
}

/**
 * Imports a user's module by absolute path: TypeScript or JavaScript, ES module or CommonJS,
 * as Node would decide for that file (its extension, else the nearest package.json's
 * `type`). A TypeScript file in a CommonJS project is compiled to CommonJS and required, so
 * its `import ... from "racelab"` becomes a plain `require` of racelab's ES modules (Node
 * 20.19+), not the cycle that importing it as an ES module would make. The result has the
 * shape `import()` gives: named exports plus `default`.
 */
export async function importUserModule(path: string): Promise<Record<string, unknown>> {
  if (/\.(ts|cts)$/.test(path) && !/\.d\.[cm]?ts$/.test(path) && moduleFormat(path) === "commonjs" && !import.meta.url.endsWith(".ts")) {
    const { require: tsxRequire } = await import("tsx/cjs/api");
    const exported: unknown = tsxRequire(path, import.meta.url);
    return asNamespace(exported);
  }
  if (/\.(ts|mts|cts)$/.test(path)) await enableTypeScriptModules();
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

/** How Node treats a file: by its extension, else by the nearest package.json's `type`. */
export function moduleFormat(path: string): "module" | "commonjs" {
  if (/\.(mts|mjs)$/.test(path)) return "module";
  if (/\.(cts|cjs)$/.test(path)) return "commonjs";
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: unknown }).type === "module" ? "module" : "commonjs";
      } catch {
        return "commonjs";
      }
    }
    if (dirname(dir) === dir) return "commonjs";
  }
}

/** A CommonJS `module.exports` seen as an ES module namespace (what `import()` of it gives). */
function asNamespace(exported: unknown): Record<string, unknown> {
  if (typeof exported !== "object" || exported === null) return { default: exported };
  const record = exported as Record<string, unknown>;
  return { ...record, default: record.__esModule ? record.default : exported };
}
