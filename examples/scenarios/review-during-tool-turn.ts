// A scenario module: TypeScript, typed with racelab's ScenarioInput, checked when racelab
// loads it (`racelab explore ./examples/scenarios/review-during-tool-turn.ts --runner upstream`).
// The import is of a type only, so the module needs nothing at run time.
import type { ScenarioInput } from "racelab";

/** Replies of a turn that runs a tool before it answers: each LLM step takes the next one. */
const toolTurn: ScenarioInput["llm"] = {
  s1: [{ toolCalls: [{ tool: "bash", input: "npm test" }] }, { text: "the tests pass" }, { text: "noted, I will look at the flaky one" }],
};

const scenario: ScenarioInput = {
  name: "review-during-tool-turn",
  description: "a reviewer's prompt_async lands while the author's turn is running a tool",
  sessions: ["s1"],
  llm: toolTurn,
  clients: [
    { name: "author", actions: [{ kind: "prompt", session: "s1", parts: ["run the tests"] }] },
    { name: "reviewer", actions: [{ kind: "prompt_async", session: "s1", parts: ["one test is flaky, have a look"] }] },
  ],
};

export default scenario;
