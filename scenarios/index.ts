import type { Scenario } from "../src/scenario/schema.ts";
import busyPromptAsync from "./busy-prompt-async.ts";
import cancelRace from "./cancel-race.ts";
import clientMessageID from "./client-message-id.ts";
import doublePromptAsync from "./double-prompt-async.ts";
import haltIdle from "./halt-idle.ts";
import idlePromptAsync from "./idle-prompt-async.ts";
import tornRead from "./torn-read.ts";

/** The built-in scenarios by name; the CLI reads this map. */
export const ScenariosMap = {
  "idle-prompt-async": idlePromptAsync,
  "double-prompt-async": doublePromptAsync,
  "busy-prompt-async": busyPromptAsync,
  "torn-read": tornRead,
  "client-message-id": clientMessageID,
  "cancel-race": cancelRace,
  "halt-idle": haltIdle,
} as const satisfies Record<string, Scenario>;

export type BuiltinScenario = keyof typeof ScenariosMap;
