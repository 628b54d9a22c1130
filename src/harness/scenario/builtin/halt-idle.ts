import { defineScenario } from "../parseScenario.ts";

/** The halt path of a failed LLM step publishes idle while the runner is still Running. */
export default defineScenario({
  name: "halt-idle",
  description: "an LLM error goes through halt while another prompt arrives",
  sessions: ["s1"],
  llm: { s1: [{ error: "rate limited" }, { text: "recovered" }] },
  clients: [
    { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["hello"] }] },
    { name: "b", actions: [{ kind: "prompt_async", session: "s1", parts: ["retry please"] }] },
  ],
});
