import { signal, type RunObserver } from "./RunObserver.ts";

/**
 * The observer of docs/design.md §8: track the main session's descendants from `session.created` and
 * `job.start` (not from their first busy), take a session as idle only while its latest status
 * is idle (a busy resets it), answer the permission asks of every session it tracks, and
 * return only when the prompt has answered, every tracked session is idle and no background
 * job is still to wake its parent.
 */
export const fixedObserver: RunObserver = {
  name: "fixed",
  description: "docs/design.md §8: track descendants from creation, reset idle on busy, answer their asks, wait for every job's wake-up",
  async run(ctx) {
    const done = signal();
    const idle = new Map<string, boolean>([[ctx.main, false]]);
    const jobs = new Set<string>();
    let answered = false;
    const check = () => {
      if (answered && jobs.size === 0 && [...idle.values()].every(Boolean)) done.resolve();
    };
    ctx.subscribe({
      event(e) {
        if (e.type === "session.created" && idle.has(e.parentID)) {
          if (!idle.has(e.sessionID)) idle.set(e.sessionID, false);
        } else if (e.type === "job.start" && idle.has(e.parentID)) {
          jobs.add(e.job);
          if (!idle.has(e.sessionID)) idle.set(e.sessionID, false);
        } else if (e.type === "job.end") {
          jobs.delete(e.job);
        } else if (e.type === "status" && idle.has(e.sessionID)) {
          idle.set(e.sessionID, e.status === "idle");
        } else if (e.type === "permission.asked" && idle.has(e.sessionID)) {
          ctx.replyPermission(e.sessionID, e.permissionID, "allow");
        }
        check();
      },
      close: () => done.resolve(),
    });
    await ctx.prompt();
    answered = true;
    check();
    await done.promise;
  },
};
