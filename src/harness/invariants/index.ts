import { cancelStopsRun } from "./cancel-stops-run.ts";
import { childResultAnswered } from "./child-result-answered.ts";
import { noExitWhileChildBusy } from "./no-exit-while-child-busy.ts";
import { everyMessageAnswered } from "./every-message-answered.ts";
import type { Invariant } from "./Invariant.ts";
import { livelock } from "./livelock.ts";
import { noHang } from "./no-hang.ts";
import { nondeterminism } from "./nondeterminism.ts";
import { runnerOom } from "./runner-oom.ts";
import { runnerTimeout } from "./runner-timeout.ts";
import { oneLoopPerSession } from "./one-loop-per-session.ts";
import { oneReplyPerParent } from "./one-reply-per-parent.ts";
import { promptGetsOwnReply } from "./prompt-gets-own-reply.ts";
import { runnerError } from "./runner-error.ts";
import { runnerMapIntegrity } from "./runner-map-integrity.ts";
import { statusReadTruthful } from "./status-read-truthful.ts";
import { statusTruthful } from "./status-truthful.ts";
import { toolPartStates } from "./tool-part-states.ts";
import { waitersResolved } from "./waiters-resolved.ts";

/** The invariants by name; scenarios, the CLI and the vitest helper read this map. */
export const InvariantsMap = {
  "every-message-answered": everyMessageAnswered,
  "one-loop-per-session": oneLoopPerSession,
  "runner-map-integrity": runnerMapIntegrity,
  "status-truthful": statusTruthful,
  "status-read-truthful": statusReadTruthful,
  "one-reply-per-parent": oneReplyPerParent,
  "cancel-stops-run": cancelStopsRun,
  "waiters-resolved": waitersResolved,
  "no-hang": noHang,
  "prompt-gets-own-reply": promptGetsOwnReply,
  livelock,
  "runner-error": runnerError,
  "no-exit-while-child-busy": noExitWhileChildBusy,
  "child-result-answered": childResultAnswered,
  "tool-part-states": toolPartStates,
  nondeterminism,
  "runner-timeout": runnerTimeout,
  "runner-oom": runnerOom,
} as const satisfies Record<string, Invariant>;

export type BuiltinInvariant = keyof typeof InvariantsMap;
