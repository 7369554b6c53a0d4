/**
 * The suites' environment (test/quick-exit-node-environment.js): a jest worker that has nothing left
 * open ends through process.exit, leaving its V8 heap to the kernel, so it is gone within jest's
 * 500 ms; one that still holds something open lives on, for jest to report as a leak.
 *
 * Each test runs a small Node process that loads the environment module, as a jest worker does, and
 * tells on stdout whether it ended through process.exit (process.reallyExit is what process.exit
 * calls; Node's natural exit never calls it).
 */
import { spawn } from "node:child_process";
import { EventEmitter, once } from "node:events";
import { connect } from "node:net";
import { join } from "node:path";

const ENVIRONMENT = join(__dirname, "..", "quick-exit-node-environment.js");

const quickExit = require("../support/worker-quick-exit.js") as {
  isJestWorkerProcess(proc: { send?: unknown; env: Record<string, string | undefined> }): boolean;
  exitQuicklyWhenIdle(proc: EventEmitter & { send?: unknown; env: Record<string, string | undefined> }): boolean;
};

/** Reports process.exit's exit on stdout, then loads the environment module. */
const PRELUDE = `
const { writeSync } = require("node:fs");
const reallyExit = process.reallyExit;
process.reallyExit = (code) => { writeSync(1, "process.exit(" + code + ")\\n"); reallyExit.call(process, code); };
require(${JSON.stringify(ENVIRONMENT)});
`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `body` after the prelude in a child process, with jest's IPC channel or without it (in band). */
function runNode(body: string, { ipc, onMessage }: { ipc: boolean; onMessage?: (message: unknown) => void }): Promise<Run> {
  const child = spawn(process.execPath, ["-e", PRELUDE + body], {
    env: { ...process.env, JEST_WORKER_ID: "1" },
    stdio: ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  if (child.stdout === null || child.stderr === null) throw new Error("the child was spawned without stdout and stderr pipes");
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  if (onMessage !== undefined) child.on("message", onMessage);
  return once(child, "close").then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

describe("a jest worker process running the quick-exit environment", () => {
  it("ends through process.exit, with the exit code it was given, once nothing is left open", async () => {
    const run = await runNode(`process.exitCode = 3;`, { ipc: true });
    expect(run).toEqual({ code: 3, stdout: "process.exit(3)\n", stderr: "" });
  });

  it("lives on while a suite left a server listening (jest still reports the leak), and ends through process.exit once it closes", async () => {
    let connected: Promise<void> | undefined;
    const run = await runNode(
      `
      const server = require("node:net").createServer((socket) => {
        socket.destroy();
        server.close(() => process.stdout.write("server closed\\n"));
      });
      server.listen(0, "127.0.0.1", () => process.send(server.address().port));
      `,
      {
        ipc: true,
        // The child only closes its server when this connection arrives: it must still be running.
        onMessage: (port) => {
          const socket = connect(port as number, "127.0.0.1");
          connected = once(socket, "connect").then(() => {
            socket.destroy();
          });
        },
      },
    );
    await connected;
    expect(run).toEqual({ code: 0, stdout: "server closed\nprocess.exit(0)\n", stderr: "" });
  });

  it("leaves a process without jest's IPC channel (jest running in band) to end as it would", async () => {
    const run = await runNode(`process.exitCode = 3;`, { ipc: false });
    expect(run).toEqual({ code: 3, stdout: "", stderr: "" });
  });
});

describe("which processes get the quick exit", () => {
  it("takes a process with an IPC channel and JEST_WORKER_ID for a jest worker", () => {
    expect(quickExit.isJestWorkerProcess({ send: () => true, env: { JEST_WORKER_ID: "2" } })).toBe(true);
  });

  it("does not take a process without an IPC channel for a jest worker, whatever its JEST_WORKER_ID", () => {
    expect(quickExit.isJestWorkerProcess({ env: { JEST_WORKER_ID: "1" } })).toBe(false);
  });

  it("does not take a process some other program forked (no JEST_WORKER_ID) for a jest worker", () => {
    expect(quickExit.isJestWorkerProcess({ send: () => true, env: {} })).toBe(false);
  });

  it("installs the quick exit in a worker once, however often the module's installer runs", () => {
    const worker = Object.assign(new EventEmitter(), { send: () => true, env: { JEST_WORKER_ID: "1" } });
    expect([quickExit.exitQuicklyWhenIdle(worker), quickExit.exitQuicklyWhenIdle(worker)]).toEqual([true, false]);
    expect(worker.listenerCount("beforeExit")).toBe(1);
  });
});
