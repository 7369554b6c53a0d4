/**
 * Preloaded (`node -r dist/bench/hook-phase-tracer.js dist/cli/main.js hook …`) by bench/hook-phases.ts:
 * times the phases of one real hook process without instrumenting the product code, by wrapping the
 * prototypes and module exports the hook calls, and appends one JSON line of phase times (ms) to
 * the file named by CDKTF_XERO_PHASES_FILE when the process exits.
 *
 * Phases are inclusive and may nest (the state update contains the lock, the read and the write).
 */
import { appendFileSync } from "node:fs";
import Module = require("node:module");
import { performance } from "node:perf_hooks";

const PHASES_FILE_ENV = "CDKTF_XERO_PHASES_FILE";

const preloadedAt = performance.now();
const totals: Record<string, number> = {};
const add = (phase: string, ms: number): void => {
  totals[phase] = (totals[phase] ?? 0) + ms;
};

/** Wraps `target[name]` (a function, sync or async) so its time is added to `phase`. */
function time(target: object, name: string, phase: string): void {
  const holder = target as Record<string, unknown>;
  const original = holder[name];
  if (typeof original !== "function") throw new TypeError(`hook-phase-tracer: ${name} is not a function`);
  holder[name] = function (this: unknown, ...args: unknown[]): unknown {
    const started = performance.now();
    const result: unknown = (original as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) return result.finally(() => add(phase, performance.now() - started));
    add(phase, performance.now() - started);
    return result;
  };
}

/** Times the first `require` of `request` (with everything it loads) as `phase`. */
function timeFirstLoad(request: string, phase: string): void {
  const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const original = loader._load;
  loader._load = function (this: unknown, ...args: [string, unknown, boolean]): unknown {
    if (args[0] !== request || phase in totals) return original.apply(this, args);
    const started = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      add(phase, performance.now() - started);
    }
  };
}

const dist = "..";
const hookSpec = require(`${dist}/contract/hook-spec`) as typeof import("../contract/hook-spec");
const runHookModule = require(`${dist}/providers/lifecycle/run-hook`) as typeof import("../providers/lifecycle/run-hook");
const context = require(`${dist}/providers/lifecycle/context`) as typeof import("../providers/lifecycle/context");
const keyring = require(`${dist}/providers/state/keyring`) as typeof import("../providers/state/keyring");
const localStore = require(`${dist}/providers/state/local/local-store`) as typeof import("../providers/state/local/local-store");
const files = require(`${dist}/providers/state/local/files`) as typeof import("../providers/state/local/files");
const client = require(`${dist}/providers/xero/client`) as typeof import("../providers/xero/client");

let hookStartedAt: number | undefined;
let hookEndedAt: number | undefined;
const runHook = runHookModule.runHook;
(runHookModule as { runHook: typeof runHook }).runHook = (...args) => {
  hookStartedAt = performance.now();
  return runHook(...args).finally(() => {
    hookEndedAt = performance.now();
  });
};

time(hookSpec, "parseHookSpecJson", "spec parse + hash");
time(hookSpec, "hashHookSpec", "spec parse + hash");
time(context.HookContext.prototype, "backend", "backend open");
time(keyring.KeyringLoader.prototype, "forReading", "key load");
time(keyring.KeyringLoader.prototype, "forWriting", "key load");
for (const method of ["clientCredentials", "probeClient", "listConnections", "deleteConnection"]) {
  time(client.XeroClient.prototype, method, "Xero HTTP (incl. axios load)");
}
timeFirstLoad("axios", "axios load (first request)");
time(localStore.LocalDocumentStore.prototype, "read", "state: document read");
time(localStore.LocalDocumentStore.prototype, "swap", "state: swap (write + history)");
time(files, "writeFileAtomic", "state: atomic write (2 fsyncs)");
time(files, "appendLineDurably", "state: history append (fsync)");
const lock = localStore.LocalDocumentStore.prototype.lock;
localStore.LocalDocumentStore.prototype.lock = async function (this: InstanceType<typeof localStore.LocalDocumentStore>, ...args) {
  const started = performance.now();
  const release = await lock.apply(this, args);
  add("state: lock acquire", performance.now() - started);
  return async () => {
    const releasing = performance.now();
    await release();
    add("state: lock release", performance.now() - releasing);
  };
};

process.on("exit", () => {
  const file = process.env[PHASES_FILE_ENV];
  if (file === undefined) return;
  const exitAt = performance.now();
  const phases: Record<string, number> = {
    // performance.now() counts from the process's time origin, before Node's own bootstrap.
    "node bootstrap (until preload)": preloadedAt,
    // The tracer loads the hook's modules itself; main.js then loads the rest (commander, if used).
    "module load (preload to hook start)": (hookStartedAt ?? exitAt) - preloadedAt,
    "hook (runHook, total)": (hookEndedAt ?? exitAt) - (hookStartedAt ?? exitAt),
    ...totals,
    "after the hook until exit": exitAt - (hookEndedAt ?? exitAt),
    // The whole process's CPU: steadier than wall time when other work shares the machine.
    "CPU, user + system (whole process)": (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  };
  appendFileSync(file, `${JSON.stringify(phases)}\n`);
});
