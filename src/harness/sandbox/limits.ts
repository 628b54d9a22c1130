import { InputError } from "../errors.ts";

/**
 * The budgets that keep racelab from hanging on code it did not write. Each has a default,
 * an environment variable, and (on the commands that run schedules) a flag.
 */
export interface Limits {
  /** A step that does not return to the scheduler within this is a `runner-timeout` finding. */
  readonly stepTimeoutMs: number;
  /** A sandbox whose heap grows past this ends with a `runner-oom` finding. */
  readonly memoryLimitMb: number;
  /** Loading a user's module (and building its runner) may take this long. */
  readonly loadTimeoutMs: number;
  /** `auto`: user modules run in a sandbox, racelab's own runners in process; `always`; `off`. */
  readonly sandbox: "auto" | "always" | "off";
}

/** The environment variables racelab reads, with what each sets (also in `--help`). */
export const ENV_VARS = {
  RACELAB_STEP_TIMEOUT_MS: "step budget of a sandboxed run in ms (default 2000; --step-timeout)",
  RACELAB_MEMORY_LIMIT_MB: "heap cap of a sandbox in MiB (default 1024; --memory-limit)",
  RACELAB_LOAD_TIMEOUT_MS: "time a user's module may take to load, in ms (default 30000)",
  RACELAB_SANDBOX: "auto (user modules run sandboxed), always, or off (default auto)",
  RACELAB_DEBUG: "1: print the stack of an internal error",
  GITHUB_STEP_SUMMARY: "gate: a file the summary is appended to (as GitHub Actions sets it)",
  NO_COLOR: "no colours in the output",
} as const;

export const DEFAULT_LIMITS: Limits = { stepTimeoutMs: 2000, memoryLimitMb: 1024, loadTimeoutMs: 30_000, sandbox: "auto" };

/** The limits in force: flags over environment variables over defaults. Bad values are one line (exit 2). */
export function resolveLimits(flags: { stepTimeout?: number; memoryLimit?: number } = {}, env: NodeJS.ProcessEnv = process.env): Limits {
  const sandbox = env.RACELAB_SANDBOX ?? DEFAULT_LIMITS.sandbox;
  if (sandbox !== "auto" && sandbox !== "always" && sandbox !== "off") {
    throw new InputError(`RACELAB_SANDBOX must be auto, always or off, got '${sandbox}'`);
  }
  return {
    stepTimeoutMs: flags.stepTimeout ?? fromEnv(env, "RACELAB_STEP_TIMEOUT_MS", DEFAULT_LIMITS.stepTimeoutMs, 10),
    memoryLimitMb: flags.memoryLimit ?? fromEnv(env, "RACELAB_MEMORY_LIMIT_MB", DEFAULT_LIMITS.memoryLimitMb, 64),
    loadTimeoutMs: fromEnv(env, "RACELAB_LOAD_TIMEOUT_MS", DEFAULT_LIMITS.loadTimeoutMs, 100),
    sandbox,
  };
}

function fromEnv(env: NodeJS.ProcessEnv, name: keyof typeof ENV_VARS, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new InputError(`${name} must be a whole number >= ${min}, got '${raw}'`);
  }
  return n;
}
