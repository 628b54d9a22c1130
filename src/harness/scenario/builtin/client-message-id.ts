import { defineScenario } from "../parseScenario.ts";

/**
 * Id inversion (issue #30809): the client made its message id before the server wrote an
 * assistant meanwhile, so it sorts below it and the id-order exit test calls it answered.
 */
export default defineScenario({
  name: "client-message-id",
  description: "a prompt_async with a client-supplied id that sorts below an assistant written meanwhile",
  sessions: ["s1"],
  clients: [
    { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["hello"] }] },
    {
      name: "b",
      actions: [{ kind: "prompt_async", session: "s1", parts: ["client-numbered"], messageID: "msg_00000000client" }],
    },
  ],
});
