import { defineScenario } from "../parseScenario.ts";

/** W1 (PR #21528, issues #21211 #21524): a turn ends while a prompt_async arrives; the prompt joins the dying run. */
export default defineScenario({
  name: "idle-prompt-async",
  description: "a session finishes a turn while a prompt_async arrives for it",
  sessions: ["s1"],
  llm: { s1: [{ text: "hi" }, { text: "yes, still here" }] },
  clients: [
    { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["hello"] }] },
    { name: "b", actions: [{ kind: "prompt_async", session: "s1", parts: ["are you still there?"] }] },
  ],
});
