import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { toSpec } from "../../boundaries/loaders/loadRunnerModule.ts";
import { InputError } from "../errors.ts";
import { ScenariosMap } from "../scenario/builtin/index.ts";
import { isScenarioPath, loadScenarioFile } from "../scenario/loadScenarioFile.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { Limits } from "../sandbox/limits.ts";

/**
 * The scenario a row of an expectations table names: a built-in one by name, or one loaded
 * from a scenario file whose path is relative to the table's folder (as runner paths are).
 * `key` is what the row is known by from then on: the name, or the path relative to the
 * working directory (`./examples/scenarios/x.json`), so a check's name says where its
 * scenario came from. `loaded` keeps each file's scenario, so a file is read once however
 * many rows name it. Errors are one line, prefixed with `where` (the table and row).
 */
export async function rowScenario(
  spec: string,
  table: string,
  where: string,
  loaded: Record<string, Scenario>,
  limits?: Limits,
): Promise<{ key: string; scenario: Scenario }> {
  if (!isScenarioPath(spec)) {
    if (!Object.hasOwn(ScenariosMap, spec)) {
      throw new InputError(`${where}: unknown scenario '${spec}'; use one of: ${Object.keys(ScenariosMap).join(", ")}, or a path to a scenario file (relative to the table's folder)`);
    }
    return { key: spec, scenario: ScenariosMap[spec as keyof typeof ScenariosMap] };
  }
  const file = resolve(dirname(table), spec);
  const key = toSpec(file);
  const known = loaded[key];
  if (known) return { key, scenario: known };
  if (!existsSync(file)) throw new InputError(`${where}: scenario file '${spec}' not found (looked at ${file}); paths are relative to the table's folder`);
  try {
    loaded[key] = await loadScenarioFile(spec, { cwd: dirname(table), ...(limits && { limits }) });
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${where}: ${error.message}`);
    throw error;
  }
  return { key, scenario: loaded[key] };
}
