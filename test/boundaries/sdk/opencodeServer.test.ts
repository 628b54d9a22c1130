import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { OpencodeClient, type Event } from "@opencode-ai/sdk/v2/client";
import { beforeAll, describe, expect, it } from "vitest";
import { mswFetch } from "../../../src/boundaries/transport/http.ts";
import { opencodeServer } from "../../../src/boundaries/sdk/opencodeServer.ts";
import { loadSdk, sdkClient } from "../../../src/boundaries/sdk/sdkClients.ts";
import { pointTimers } from "../../../src/boundaries/adapters/runWorld.ts";
import type { BusListener, PromptInput, SessionRunner } from "../../../src/boundaries/port.ts";

/** A runner that answers at once, records what reached it, and publishes on demand. */
function recordingRunner() {
  const calls: string[] = [];
  const listeners: BusListener[] = [];
  const runner: SessionRunner = {
    async prompt(input: PromptInput) {
      calls.push(`prompt ${input.sessionID} ${input.request} ${input.parts.join("+")}${input.noReply ? " noReply" : ""}`);
      return { message: { id: "msg_2", sessionID: input.sessionID, role: "assistant", parentID: "msg_1", finish: "stop", parts: 2 } };
    },
    promptAsync(input: PromptInput) {
      calls.push(`prompt_async ${input.sessionID} ${input.request}`);
    },
    async cancel(sessionID: string, request: string) {
      calls.push(`cancel ${sessionID} ${request}`);
    },
    statuses: () => ({ s1: "busy", s2: "idle" }),
    subscribe: (listener) => listeners.push(listener),
    replyPermission: (sessionID, permissionID, reply) => calls.push(`reply ${sessionID} ${permissionID} ${reply}`),
    async dispose() {},
  };
  const publish = (e: Parameters<BusListener["event"]>[0]) => listeners.forEach((l) => l.event(e));
  const close = () => listeners.forEach((l) => l.close());
  return { runner, calls, publish, close };
}

function setUp() {
  const r = recordingRunner();
  const points: string[] = [];
  const timers = pointTimers(async () => {});
  const fetch = mswFetch(opencodeServer(r.runner, { point: async (label) => void points.push(label), now: () => 0 }));
  return { ...r, points, client: sdkClient(fetch, timers) };
}

beforeAll(loadSdk);

describe("racelab's simulated opencode server, driven by the real @opencode-ai/sdk v2 client", () => {
  it("is an OpencodeClient of the SDK", () => {
    expect(setUp().client).toBeInstanceOf(OpencodeClient);
  });

  it("answers session create, prompt, prompt_async (204), abort and status with the SDK's shapes", async () => {
    const { client, calls } = setUp();
    const created = await client.session.create({ parentID: "s1" });
    expect(created.data).toMatchObject({ id: "ses_0001", parentID: "s1", directory: "/racelab" });
    const reply = await client.session.prompt({ sessionID: "s1", parts: [{ type: "text", text: "hi" }, { type: "text", text: "there" }] }, { headers: { "x-racelab-request": "a1" } });
    expect(reply.error).toBeUndefined();
    expect(reply.data?.info).toMatchObject({ id: "msg_2", role: "assistant", parentID: "msg_1", finish: "stop" });
    expect(reply.data?.parts).toHaveLength(2);
    const accepted = await client.session.promptAsync({ sessionID: "s1", parts: [{ type: "text", text: "x" }], noReply: true }, { headers: { "x-racelab-request": "b1" } });
    expect(accepted.response.status).toBe(204);
    expect((await client.session.abort({ sessionID: "s1" }, { headers: { "x-racelab-request": "c1" } })).data).toBe(true);
    expect((await client.session.status()).data).toEqual({ s1: { type: "busy" }, s2: { type: "idle" } });
    expect(calls).toEqual(["prompt s1 a1 hi+there", "prompt_async s1 b1", "cancel s1 c1"]);
  });

  it("routes a permission reply by its request id to the session that asked, and 404s an unknown one", async () => {
    const { client, calls, publish } = setUp();
    const sub = await client.event.subscribe();
    const first = await sub.stream.next();
    expect((first.value as Event).type).toBe("server.connected");
    publish({ type: "permission.asked", sessionID: "s1", permissionID: "per_1", tool: "bash" });
    const asked = (await sub.stream.next()).value as Event;
    expect(asked).toMatchObject({ type: "permission.asked", properties: { id: "per_1", sessionID: "s1", permission: "bash" } });
    expect((await client.permission.reply({ requestID: "per_1", reply: "once" })).data).toBe(true);
    expect(calls).toEqual(["reply s1 per_1 allow"]);
    expect((await client.permission.reply({ requestID: "per_9", reply: "reject" })).response.status).toBe(404);
  });

  it("streams GET /event as SDK events, one scheduling point each, with ids, and ends cleanly on dispose", async () => {
    const { client, publish, close, points } = setUp();
    const sub = await client.event.subscribe({}, { headers: { "x-racelab-request": "run.sse" } });
    const seen: Event[] = [];
    const reading = (async () => {
      for await (const event of sub.stream) seen.push(event);
    })();
    await new Promise((r) => setImmediate(r));
    publish({ type: "status", sessionID: "s1", status: "busy" });
    publish({ type: "session.created", sessionID: "c1", parentID: "s1" });
    publish({ type: "job.start", job: "c1.job", parentID: "s1", sessionID: "c1", style: "job" });
    publish({ type: "job.end", job: "c1.job", parentID: "s1", outcome: "woke" });
    publish({ type: "idle", sessionID: "s1" });
    publish({ type: "instance.disposed" });
    close();
    // The SDK returns from the stream at a clean end: no reconnect.
    await reading;
    expect(seen.map((e) => e.type)).toEqual(["server.connected", "session.status", "session.created", "message.part.updated", "message.part.updated", "session.idle", "server.instance.disposed"]);
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    expect(seen[1]).toMatchObject({ properties: { sessionID: "s1", status: { type: "busy" } } });
    expect(seen[2]).toMatchObject({ properties: { sessionID: "c1", info: { parentID: "s1" } } });
    expect(seen[3]).toMatchObject({ properties: { part: { type: "tool", tool: "task", callID: "c1.job", state: { status: "running", metadata: { sessionId: "c1" } } } } });
    expect(seen[4]).toMatchObject({ properties: { part: { state: { status: "completed" } } } });
    expect(points).toEqual([
      "run.sse server.connected",
      "run.sse status s1 busy",
      "run.sse session.created c1",
      "run.sse job.start c1.job",
      "run.sse job.end c1.job",
      "run.sse idle s1",
      "run.sse instance.disposed",
      "run.sse close",
    ]);
  });

  it("reconnects after a stream error only on the run's virtual clock (3 s, then 6 s)", async () => {
    const slept: string[] = [];
    const timers = {
      ...pointTimers(async () => {}),
      setTimeout: (label: string, ms: number, callback: () => void) => {
        slept.push(`${label} ${ms}`);
        if (slept.length < 3) queueMicrotask(callback);
        return { label };
      },
    };
    let connects = 0;
    const client = sdkClient(async () => {
      connects += 1;
      return new Response("down", { status: 503 });
    }, timers);
    const sub = await client.event.subscribe();
    void sub.stream.next();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(slept).toEqual(["sse reconnect 3000", "sse reconnect 6000", "sse reconnect 12000"]);
    expect(connects).toBe(3);
  });
});

describe("the handlers' payloads are typed by the SDK", () => {
  it("a renamed event field in racelab's handlers fails the type check", () => {
    const source = readFileSync("src/boundaries/sdk/sdkEvents.ts", "utf8");
    const renamed = source.replace("properties: { sessionID: e.sessionID, status: sdkStatus(e.status) }", "properties: { session: e.sessionID, status: sdkStatus(e.status) }");
    expect(renamed).not.toBe(source);
    // Beside the original (so its imports resolve), with a config of its own next to tsconfig.json.
    const copy = "src/boundaries/sdk/sdkEvents.renamed.ts";
    const config = "tsconfig.conformance-test.json";
    writeFileSync(copy, renamed);
    try {
      writeFileSync(config, JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { noEmit: true }, include: [], files: [copy] }));
      let out = "";
      try {
        execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", config], { encoding: "utf8" });
      } catch (error) {
        out = (error as { stdout: string }).stdout;
      }
      expect(out).toMatch(/sdkEvents\.renamed\.ts.*'session' does not exist in type '\{ sessionID: string; status: SessionStatus; \}'/s);
    } finally {
      rmSync(copy, { force: true });
      rmSync(config, { force: true });
    }
  });
});
