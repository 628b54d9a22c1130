import { ScenariosMap } from "./scenario/builtin/index.ts";
import { InputError } from "./errors.ts";
import type { Invariant } from "./invariants/Invariant.ts";
import { InvariantsMap } from "./invariants/index.ts";
import type { RunnerVariant } from "../boundaries/port.ts";
import { RunnersMap } from "../subjects/runner/variants/index.ts";
import { EffectRunnerDescriptions, isEffectRunnerName } from "../subjects/effect-runner/variants/descriptions.ts";
import { checkEffectVersion } from "../boundaries/effect/supportedVersion.ts";
import { isRunnerPath, loadRunnerModule } from "../boundaries/loaders/loadRunnerModule.ts";
import { isObserverPath, loadObserverModule } from "../boundaries/loaders/loadObserverModule.ts";
import type { Scenario } from "./scenario/schema.ts";
import { isScenarioPath, loadScenarioFile } from "./scenario/loadScenarioFile.ts";
import type { Limits } from "./sandbox/limits.ts";
import type { WorldOptions } from "./scenario/createWorld.ts";
import type { Granularity } from "../boundaries/effect/ControlledScheduler.ts";
import { DEFAULT_OBSERVER, ObserversMap } from "../subjects/observers/index.ts";
import type { RunObserver } from "../subjects/observers/RunObserver.ts";
import type { Strategy, StrategyOptions } from "./scheduler/strategies/Strategy.ts";
import { StrategiesMap } from "./scheduler/strategies/index.ts";

function lookup<T>(map: Record<string, T>, name: string, what: string, hint = ""): T {
  if (Object.hasOwn(map, name)) return map[name]!;
  throw new InputError(`unknown ${what} '${name}'; use one of: ${Object.keys(map).join(", ")}${hint}`);
}

/** A built-in scenario by name. */
export function resolveScenario(name: string): Scenario {
  return lookup<Scenario>(ScenariosMap, name, "scenario", " (see 'racelab list'), or a path to a scenario file (./my-scenario.json)");
}

/**
 * A scenario by the argument `explore` takes: a built-in name, or a path to a scenario file
 * (JSON, a schedule file, or a TS/JS module; see {@link loadScenarioFile}), relative to `cwd`.
 */
export async function loadScenario(spec: string, options: { cwd?: string; limits?: Limits } = {}): Promise<Scenario> {
  return isScenarioPath(spec) ? loadScenarioFile(spec, options) : resolveScenario(spec);
}

/** Every built-in runner's name: the plain reference runner's variants, then the Effect ones. */
export const BUILTIN_RUNNERS: readonly string[] = [...Object.keys(RunnersMap), ...Object.keys(EffectRunnerDescriptions)];

/** A built-in plain runner variant by name (the Effect variants load `effect`: see {@link loadRunner}). */
export function resolveRunner(name: string): RunnerVariant {
  if (isRunnerPath(name)) throw new InputError(`'${name}' is a runner module path; load it with loadRunner`);
  if (isEffectRunnerName(name)) throw new InputError(`'${name}' is an Effect runner; load it with loadRunner`);
  return lookup<RunnerVariant>(RunnersMap, name, "runner", ", or a path to a runner module (./my-runner.ts)");
}

/**
 * A runner by `--runner` value: a built-in name (an Effect variant loads the project's
 * `effect`), or a path to a module implementing the runner port (see {@link loadRunnerModule}).
 */
export async function loadRunner(spec: string): Promise<RunnerVariant> {
  if (isRunnerPath(spec)) return loadRunnerModule(spec);
  if (isEffectRunnerName(spec)) return (await loadEffectRunners())[spec];
  if (!Object.hasOwn(RunnersMap, spec)) {
    throw new InputError(`unknown runner '${spec}'; use one of: ${BUILTIN_RUNNERS.join(", ")}, or a path to a runner module (./my-runner.ts)`);
  }
  return resolveRunner(spec);
}

/** The Effect variants, loaded on first use; a missing or unsupported `effect` is one clear line. */
async function loadEffectRunners() {
  checkEffectVersion();
  const { EffectRunnersMap } = await import("../subjects/effect-runner/variants/index.ts");
  return EffectRunnersMap;
}

/** An exploration strategy by name, built from resolved options. */
export function resolveStrategy(name: string, options: StrategyOptions): Strategy {
  if (name === "replay") {
    throw new InputError("strategy 'replay' needs a recording: use 'racelab replay <file>'");
  }
  return lookup(StrategiesMap, name, "strategy")(options);
}

/** A built-in run command observer by name. */
export function resolveObserver(name: string): RunObserver {
  if (isObserverPath(name)) throw new InputError(`'${name}' is an observer module path; load it with loadObserver`);
  return lookup<RunObserver>(ObserversMap, name, "observer", ", or a path to an observer module (./my-run.ts)");
}

/** A run command observer by `--observer` value: a built-in name, or a path to an observer module. */
export async function loadObserver(spec: string): Promise<RunObserver> {
  return isObserverPath(spec) ? loadObserverModule(spec) : resolveObserver(spec);
}

/**
 * The world options of a scenario: the observer (default `fixed`) when it has a run command.
 * A scenario without one ignores `--observer`.
 */
export function resolveWorld(scenario: Scenario, observer: string | undefined, transport: "inproc" | "http" | undefined, granularity?: Granularity): WorldOptions {
  return worldOf(scenario, resolveObserver(observer ?? DEFAULT_OBSERVER), transport, granularity);
}

/** {@link resolveWorld}, where the observer may also be a path to a user's observer module. */
export async function loadWorld(scenario: Scenario, observer: string | undefined, transport: "inproc" | "http" | undefined, granularity?: Granularity): Promise<WorldOptions> {
  return worldOf(scenario, await loadObserver(observer ?? DEFAULT_OBSERVER), transport, granularity);
}

function worldOf(scenario: Scenario, observer: RunObserver, transport: "inproc" | "http" | undefined, granularity?: Granularity): WorldOptions {
  return { ...(scenario.run && { observer }), ...(transport && { transport }), ...(granularity && granularity !== "step" && { granularity }) };
}

/** Checked on every scenario, whatever it names: the code escaped racelab's control or never came back. */
const ALWAYS: readonly Invariant[] = [InvariantsMap.nondeterminism, InvariantsMap["runner-timeout"], InvariantsMap["runner-oom"]];

/**
 * The invariants a scenario checks: all when it names none. `nondeterminism`,
 * `runner-timeout` and `runner-oom` are always checked: without them no other verdict means
 * anything.
 */
export function resolveInvariants(scenario: Scenario): Invariant[] {
  if (!scenario.invariants) return Object.values(InvariantsMap);
  const named = scenario.invariants.map((name) => lookup<Invariant>(InvariantsMap, name, "invariant"));
  return [...named, ...ALWAYS.filter((inv) => !named.includes(inv))];
}
