/**
 * pg is loaded without its Cloudflare Workers probe constructing a `Response` (which loads undici on
 * Node.js 20), in the compiled modules and in the hook bundle, and without leaving a `navigator`
 * global behind. Each case runs in a fresh Node.js process: which built-in modules a process loaded is
 * per process.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const DIST = join(__dirname, "..", "..", "dist");

interface Loaded {
  readonly fetchModules: string[];
  readonly navigatorBefore: string;
  readonly navigatorAfter: string;
  readonly samePg: boolean;
}

/** Runs `load` (JavaScript) in a new process and reports what it loaded. */
function loadedBy(load: string): Loaded {
  const script = [
    "const navigatorBefore = typeof globalThis.navigator;",
    load,
    "const fetchModules = process.moduleLoadList.filter((entry) => /undici|http2/.test(entry));",
    'const samePg = require(require.resolve("pg", { paths: [process.cwd()] })).Pool === driverPg().Pool;',
    "process.stdout.write(JSON.stringify({ fetchModules, navigatorBefore, navigatorAfter: typeof globalThis.navigator, samePg }));",
  ].join("\n");
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: join(DIST, ".."), encoding: "utf8" })) as Loaded;
}

describe("pg, as the pg backend loads it", () => {
  it("loads without undici or http2 and leaves globalThis.navigator as it found it", () => {
    const loaded = loadedBy(`const driverPg = () => require(${JSON.stringify(join(DIST, "providers", "state", "pg", "pg-driver.js"))}).pg; driverPg();`);
    expect(loaded).toEqual({ fetchModules: [], navigatorBefore: loaded.navigatorBefore, navigatorAfter: loaded.navigatorBefore, samePg: true });
  });

  it("loads the same way inside the hook bundle, where pg is bundled", () => {
    const launcher = JSON.stringify(join(DIST, "cli", "hook-launcher.js"));
    const loaded = loadedBy(
      `const bundle = require(${launcher}).loadHookBundle(); if (bundle === undefined) throw new Error("no hook bundle: run npm run build");\n` +
        "bundle.exports.loadHookModules(); const driverPg = () => require('pg');",
    );
    expect([loaded.fetchModules, loaded.navigatorAfter]).toEqual([[], loaded.navigatorBefore]);
  });
});
