import type { z } from "zod";
import { InputError } from "../errors.ts";
import { InvariantsMap } from "../invariants/index.ts";
import { ScenarioSchema, type Scenario } from "./schema.ts";

/**
 * Formats zod issues as one line: `path: problem; path: problem`. The two mistakes people make
 * most in files they write by hand, a field left out and a field misspelt, say what to do.
 */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 4)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${problemOf(issue)}`)
    .join("; ");
}

function problemOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) return `missing; add it (expected ${issue.expected})`;
  if (issue.code === "unrecognized_keys") return `${issue.message}; remove it or check its spelling`;
  return issue.message;
}

/** Validates scenario data and its cross-references; throws {@link InputError} saying what to fix. */
export function parseScenario(data: unknown, where = "scenario"): Scenario {
  const parsed = ScenarioSchema.safeParse(data);
  if (!parsed.success) throw new InputError(`${where} is malformed: ${formatIssues(parsed.error)}`);
  const scenario = parsed.data;
  const sessions = new Set(scenario.sessions);
  const clients = new Set<string>();
  for (const client of scenario.clients) {
    if (clients.has(client.name)) throw new InputError(`${where}: client '${client.name}' is declared twice`);
    clients.add(client.name);
    for (const action of client.actions) {
      if (!sessions.has(action.session)) {
        throw new InputError(`${where}: client '${client.name}' uses session '${action.session}', which is not in sessions [${scenario.sessions.join(", ")}]`);
      }
    }
  }
  if (clients.has("run")) throw new InputError(`${where}: client name 'run' is reserved for the run command; rename the client`);
  if (scenario.run && !sessions.has(scenario.run.session)) {
    throw new InputError(`${where}: run uses session '${scenario.run.session}', which is not in sessions [${scenario.sessions.join(", ")}]`);
  }
  // Child sessions are created by task tool calls; each by exactly one call, none declared.
  const children = new Set<string>();
  for (const replies of Object.values(scenario.llm)) {
    for (const reply of replies) {
      if (!("toolCalls" in reply)) continue;
      for (const call of reply.toolCalls) {
        if (!call.child) continue;
        const child = call.child.session;
        if (sessions.has(child)) throw new InputError(`${where}: child session '${child}' is also declared in sessions; a task call creates it, so remove it from sessions`);
        if (children.has(child)) throw new InputError(`${where}: child session '${child}' is created by two task calls; give each call its own child`);
        children.add(child);
      }
    }
  }
  for (const sid of Object.keys(scenario.llm)) {
    if (!sessions.has(sid) && !children.has(sid)) throw new InputError(`${where}: llm script for unknown session '${sid}' (neither in sessions nor created by a task call)`);
  }
  const instances = scenario.instances ?? 1;
  for (const client of scenario.clients) {
    if ((client.instance ?? 1) > instances) {
      throw new InputError(`${where}: client '${client.name}' talks to instance ${client.instance}, but the scenario has ${instances}; raise "instances" or pick 1-${instances}`);
    }
  }
  if (instances > 1 && scenario.run) throw new InputError(`${where}: the run command with several instances is not modelled (dispose covers one instance); drop "run" or use one instance`);
  if (instances > 1 && children.size > 0) {
    throw new InputError(`${where}: child sessions with several instances are not modelled (their names are per instance); drop the task tool calls or use one instance`);
  }
  for (const inv of scenario.invariants ?? []) {
    if (!(inv in InvariantsMap)) {
      throw new InputError(`${where}: unknown invariant '${inv}'; use one of: ${Object.keys(InvariantsMap).join(", ")}`);
    }
  }
  return scenario;
}

/** Typed helper for scenario files: validates at load time. */
export function defineScenario(data: z.input<typeof ScenarioSchema>): Scenario {
  return parseScenario(data, `scenario '${data.name}'`);
}
