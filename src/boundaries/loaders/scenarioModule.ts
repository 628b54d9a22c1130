import { InputError } from "../../harness/errors.ts";
import { parseScenario } from "../../harness/scenario/parseScenario.ts";
import type { Scenario } from "../../harness/scenario/schema.ts";
import { loadErrorOf } from "./userExport.ts";
import { importUserModule } from "./userModules.ts";

const EXPORT_HELP = "export the scenario as the module's default export (`export default scenario`, typed with `ScenarioInput` from 'racelab') or as `export const scenario`";

/**
 * Imports a user's scenario module (TypeScript or JavaScript, by {@link importUserModule}, so
 * `.ts` needs no build) and validates what it exports with the schema built-in scenarios
 * use. `spec` is the path as the user gave it, for messages; `cwd` is where compile errors'
 * `file:line:column` are shown relative to. Every failure is one {@link InputError} line.
 */
export async function importScenarioModule(path: string, spec: string, cwd: string): Promise<Scenario> {
  const where = `scenario module '${spec}'`;
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(path);
  } catch (error) {
    // `defineScenario` in the module throws racelab's own message, which needs no wrapping.
    if ((error as Error | undefined)?.name === "InputError") throw new InputError(`${where}: ${(error as Error).message}`);
    throw new InputError(`${where} failed to load: ${loadErrorOf(error, cwd)}`);
  }
  // A CommonJS module's `exports.scenario = ...` also shows as `default` (the whole exports object).
  const wrapsNamed = mod.scenario !== undefined && typeof mod.default === "object" && mod.default !== null && (mod.default as Record<string, unknown>).scenario === mod.scenario;
  const exported = mod.default !== undefined && !wrapsNamed ? mod.default : mod.scenario;
  if (exported === undefined) {
    const names = Object.keys(mod).filter((k) => k !== "default");
    throw new InputError(`${where} exports no scenario (${names.length ? `it exports ${names.join(", ")}` : "it exports nothing"}); ${EXPORT_HELP}`);
  }
  if (typeof exported === "function") throw new InputError(`${where}: its export is a function, not a scenario; ${EXPORT_HELP}`);
  return parseScenario(exported, where);
}
