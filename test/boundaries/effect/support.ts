import effectPackage from "effect/package.json" with { type: "json" };

/**
 * The version of `effect` these tests run on: 4.1 in the default vitest project, the 4.0
 * beta in the `effect-4.0-beta` project (vitest.config.ts aliases `effect` to the npm alias
 * `effect-beta` there), so the adapter is tested on both lines.
 */
export function effectVersionUnderTest(): string {
  return effectPackage.version;
}
