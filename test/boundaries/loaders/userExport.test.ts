import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadObserverModule } from "../../../src/boundaries/loaders/loadObserverModule.ts";
import { loadRunnerModule } from "../../../src/boundaries/loaders/loadRunnerModule.ts";

// Runner and observer modules share one loader: the same shapes are accepted, and every
// failure is one line that names the module as the user gave it.
const dir = mkdtempSync(join(tmpdir(), "racelab-user-export-"));
mkdirSync(join(dir, "m"), { recursive: true });
const file = (name: string, text: string) => {
  writeFileSync(join(dir, "m", name), text);
  return `./m/${name}`;
};
const runner = "{ name: 'r', description: 'd', create: () => ({ prompt() {}, promptAsync() {}, cancel() {} }) }";
const observer = "{ name: 'o', description: 'watches', run: async () => {} }";

describe("loadRunnerModule and loadObserverModule", () => {
  it("take the default export, the named export, or the only fitting export, renamed to the path as given", async () => {
    for (const text of [`export default ${runner};`, `export const runner = ${runner};`, `export const mine = ${runner}; export const other = 1;`]) {
      const name = `r${text.length}.mjs`;
      const loaded = await loadRunnerModule(file(name, text), dir);
      expect(loaded.name).toBe(`./m/${name}`);
    }
    const factory = await loadRunnerModule(file("factory.mjs", "export default () => ({ prompt() {}, promptAsync() {}, cancel() {} });"), dir);
    expect(factory.description).toBe("runner from ./m/factory.mjs");
    const o = await loadObserverModule(file("o.mjs", `export const observer = ${observer};`), dir);
    expect([o.name, o.description]).toEqual(["./m/o.mjs", "watches"]);
    const fn = await loadObserverModule(file("fn.mjs", "export default async function run() {}"), dir);
    expect(fn.description).toBe("run command from ./m/fn.mjs");
  });

  it.each([
    ["a missing file", () => loadRunnerModule("./m/nope.mjs", dir), /^runner module '\.\/m\/nope\.mjs' not found \(looked at .*nope\.mjs\); pass a path/],
    ["a module that throws on load", () => loadObserverModule(file("throws.mjs", "throw new Error('boom at load');"), dir), /^observer module '\.\/m\/throws\.mjs' failed to load: boom at load$/],
    ["nothing that fits", () => loadObserverModule(file("none.mjs", "export const x = 1;"), dir), /^observer module '\.\/m\/none\.mjs' is not a run command observer: it exports x; an observer module/],
    ["two that fit and no default", () => loadRunnerModule(file("two.mjs", `export const a = ${runner}; export const b = ${runner};`), dir), /does not implement the runner port: it exports several runner variants \(a, b\) and no default/],
    ["a runner without cancel", () => loadRunnerModule(file("nocancel.mjs", "export default { create: () => ({ prompt() {}, promptAsync() {} }) };"), dir), /lacks cancel/],
  ])("%s is one line", async (_, load, message) => {
    const error = await load().then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe("InputError");
    expect(error!.message).toMatch(message);
    expect(error!.message.split("\n")).toHaveLength(1);
  });
});
