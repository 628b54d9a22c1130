import type { Scenario } from "../schema.ts";
import backgroundChildRun from "./background-child-run.ts";
import busyPromptAsync from "./busy-prompt-async.ts";
import cancelParentWithChildren from "./cancel-parent-with-children.ts";
import childWakeParent from "./child-wake-parent.ts";
import syncChild from "./sync-child.ts";
import cancelRace from "./cancel-race.ts";
import cancelSyncChild from "./cancel-sync-child.ts";
import clientMessageID from "./client-message-id.ts";
import doublePromptAsync from "./double-prompt-async.ts";
import haltIdle from "./halt-idle.ts";
import idlePromptAsync from "./idle-prompt-async.ts";
import statusGap from "./status-gap.ts";
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
  "background-child-run": backgroundChildRun,
  "child-wake-parent": childWakeParent,
  "sync-child": syncChild,
  "cancel-parent-with-children": cancelParentWithChildren,
  "cancel-sync-child": cancelSyncChild,
  "status-gap": statusGap,
} as const satisfies Record<string, Scenario>;

export type BuiltinScenario = keyof typeof ScenariosMap;
