import type { BusEvent } from "./port.ts";

/** A bus event as a short stable label: `status s1 busy`, `job.end c1.job`. */
export function describeBusEvent(e: BusEvent): string {
  switch (e.type) {
    case "status":
      return `status ${e.sessionID} ${e.status}`;
    case "idle":
    case "session.created":
      return `${e.type} ${e.sessionID}`;
    case "permission.asked":
    case "permission.replied":
      return `${e.type} ${e.permissionID}`;
    case "job.start":
    case "job.end":
      return `${e.type} ${e.job}`;
    case "instance.disposed":
      return e.type;
  }
}
