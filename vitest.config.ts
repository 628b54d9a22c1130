import { defineConfig } from "vitest/config";

/** Tests that drive Effect code in process: they run again on the 4.0 beta line (see below). */
const effectTests = ["test/boundaries/effect/**/*.test.ts", "test/subjects/effect-runner/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Both cores: vitest's default (cores - 1) leaves one of CI's two idle while a file runs.
    maxWorkers: 2,
    reporters: ["default", "./test/support/plainSummaryReporter.ts"],
    projects: [
      { extends: true, test: { name: "racelab", include: ["test/**/*.test.ts"] } },
      {
        // racelab/effect runs on the project's own `effect`: 4.1 (the dev dependency) above, and
        // here the 4.0 beta opencode pins (the npm alias `effect-beta`), in place of `effect`.
        extends: true,
        resolve: { alias: [{ find: /^effect(\/.*)?$/, replacement: "effect-beta$1" }] },
        test: { name: "effect-4.0-beta", include: effectTests, exclude: ["**/*.cli.test.ts"] },
      },
    ],
  },
});
