import { resolve } from "node:path";
import { InputError } from "../../harness/errors.ts";
import type { RunnerPort, RunnerVariant, SessionRunner } from "../port.ts";
import { isUserPath, loadUserExport, toSpec, type ExportKind } from "./userExport.ts";

export { loadErrorOf, toSpec } from "./userExport.ts";

/** Whether a `--runner` value names a file rather than a built-in variant. */
export const isRunnerPath: (spec: string) => boolean = isUserPath;

const REQUIRED = ["prompt", "promptAsync", "cancel"] as const;
const PORT_HELP =
  "a runner module exports a RunnerVariant ({ name, description, create(port) => SessionRunner }) as its default export " +
  "(or a factory function `(port) => SessionRunner`); see 'A runner of your own' in racelab's README";

/**
 * Loads a user's runner from a TypeScript or JavaScript module (see importUserModule: `.ts`
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
  const { value: variant, shown } = await loadUserExport(spec, variantKind(spec), cwd);
  checkImplementsPort(variant, spec);
  return { ...variant, name: shown, description: variant.description || `runner from ${shown}` };
}

/** The name a runner module gets (what schedule files record), from a `--runner` path, without loading it. */
export function runnerSpecOf(spec: string, cwd = process.cwd()): string {
  return isRunnerPath(spec) ? toSpec(resolve(cwd, spec), cwd) : spec;
}

function isVariant(x: unknown): x is RunnerVariant {
  return typeof x === "object" && x !== null && typeof (x as RunnerVariant).create === "function";
}

function variantKind(spec: string): ExportKind<RunnerVariant> {
  return {
    what: "runner module",
    named: "runner",
    plural: "runner variants",
    is: isVariant,
    from: (x) => {
      if (isVariant(x)) return { ...x, name: String(x.name ?? spec), description: String(x.description ?? "") };
      if (typeof x === "function") return { name: spec, description: "", create: x as RunnerVariant["create"] };
      return undefined;
    },
    help: PORT_HELP,
    notOne: "does not implement the runner port",
  };
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
