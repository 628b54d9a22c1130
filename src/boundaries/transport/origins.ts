/** Where the scripted LLM provider and the server API live inside a run (never on the network). */
export const LLM_ORIGIN = "http://llm.racelab.test";
export const SERVER_ORIGIN = "http://server.racelab.test";
