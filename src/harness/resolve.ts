import { ScenariosMap } from "./scenario/builtin/index.ts";
import { InputError } from "./errors.ts";
import type { Invariant } from "./invariants/Invariant.ts";
import { InvariantsMap } from "./invariants/index.ts";
import type { RunnerVariant } from "../boundaries/port.ts";
import { RunnersMap } from "../subjects/runner/variants/index.ts";
import { isRunnerPath, loadRunnerModule } from "../boundaries/loaders/loadRunnerModule.ts";
import type { Scenario } from "./scenario/schema.ts";
import type { WorldOptions } from "./scenario/createWorld.ts";
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
  return lookup<Scenario>(ScenariosMap, name, "scenario", " (see 'racelab list')");
}

/** A built-in runner variant by name. */
export function resolveRunner(name: string): RunnerVariant {
  if (isRunnerPath(name)) throw new InputError(`'${name}' is a runner module path; load it with loadRunner`);
  return lookup<RunnerVariant>(RunnersMap, name, "runner", ", or a path to a runner module (./my-runner.ts)");
}

/**
 * A runner by `--runner` value: a built-in name, or a path to a module implementing the
 * runner port (see {@link loadRunnerModule}).
 */
export async function loadRunner(spec: string): Promise<RunnerVariant> {
  return isRunnerPath(spec) ? loadRunnerModule(spec) : resolveRunner(spec);
}

/** An exploration strategy by name, built from resolved options. */
export function resolveStrategy(name: string, options: StrategyOptions): Strategy {
  if (name === "replay") {
    throw new InputError("strategy 'replay' needs a recording: use 'racelab replay <file>'");
  }
  return lookup(StrategiesMap, name, "strategy")(options);
}

/** A run command observer by name. */
export function resolveObserver(name: string): RunObserver {
  return lookup<RunObserver>(ObserversMap, name, "observer");
}

/**
 * The world options of a scenario: the observer (default `fixed`) when it has a run command.
 * A scenario without one ignores `--observer`.
 */
export function resolveWorld(scenario: Scenario, observer: string | undefined, transport: "inproc" | "http" | undefined): WorldOptions {
  const o = resolveObserver(observer ?? DEFAULT_OBSERVER);
  return { ...(scenario.run && { observer: o }), ...(transport && { transport }) };
}

/** The invariants a scenario checks (all when it names none). */
export function resolveInvariants(scenario: Scenario): Invariant[] {
  if (!scenario.invariants) return Object.values(InvariantsMap);
  return scenario.invariants.map((name) => lookup<Invariant>(InvariantsMap, name, "invariant"));
}
