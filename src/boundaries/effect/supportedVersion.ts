import { createRequire } from "node:module";
import semver from "semver";
import { InputError } from "../../harness/errors.ts";

/**
 * The `effect` versions racelab/effect drives: the 4.0.0 betas from beta.57 on (opencode pins
 * betas of this line), the 4.0 releases and 4.1.x. The adapter reads no private field that
 * differs between them (see `effectTypes.ts`); `npm test` runs it on 4.0.0-beta.83 and 4.1.0.
 */
export const SUPPORTED_EFFECT = ">=4.0.0-beta.57 <4.2.0";

/** The version of the `effect` package racelab resolves (the user's own, a peer dependency). */
export function effectVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require("effect/package.json") as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Throws a one-line {@link InputError} unless the resolved `effect` is one racelab supports. */
export function checkEffectVersion(): void {
  checkVersion(effectVersion());
}

/** {@link checkEffectVersion} for a given version (`undefined`: no `effect` installed). */
export function checkVersion(version: string | undefined): void {
  if (version === undefined) {
    throw new InputError(`racelab/effect needs the 'effect' package (${SUPPORTED_EFFECT}); install it beside racelab: npm install effect`);
  }
  if (!semver.satisfies(version, SUPPORTED_EFFECT, { includePrerelease: true })) {
    throw new InputError(`racelab/effect supports effect ${SUPPORTED_EFFECT}, but this project has effect ${version}; install a supported version (npm install effect@4.1)`);
  }
}
