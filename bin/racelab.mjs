#!/usr/bin/env node
// Runs racelab's TypeScript sources directly through tsx (no build step, no postinstall).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
