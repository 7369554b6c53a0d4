import { join } from "node:path";
import {
  areDependenciesUnchanged,
  areInputsUnchanged,
  bundledPackagePath,
  hashLockfile,
  parseBundleInputs,
  type FreshnessFs,
  type BundleInputs,
} from "../../cli/bundle-freshness";

/** cli/bundle-freshness.ts: whether the bundled dependencies are still the installed ones, decided over an in-memory file system. */

const DIR = "/project/node_modules/cdktf-xero/dist/cli";

/** Files by absolute path; directories exist when a file is below them. Counts reads. */
function memoryFs(files: Record<string, string | { contents: string; mtimeMs: number }>): FreshnessFs & { reads: string[] } {
  const reads: string[] = [];
  const entry = (file: string) => {
    const value = files[file];
    return value === undefined ? undefined : typeof value === "string" ? { contents: value, mtimeMs: 1 } : value;
  };
  return {
    reads,
    stat: (file) => {
      const found = entry(file);
      if (found !== undefined) return { size: Buffer.byteLength(found.contents), mtimeMs: found.mtimeMs };
      return Object.keys(files).some((name) => name.startsWith(`${file}/`)) ? { size: 0, mtimeMs: 0 } : undefined;
    },
    read: (file) => {
      reads.push(file);
      const found = entry(file);
      return found === undefined ? undefined : Buffer.from(found.contents);
    },
  };
}

const LOCK = "/project/node_modules/cdktf-xero/package-lock.json";
const lockInputs = (contents: string, mtimeMs: number): BundleInputs => ({
  files: [],
  lockfile: { path: "../../package-lock.json", size: Buffer.byteLength(contents), mtimeMs, sha256: hashLockfile(Buffer.from(contents)) },
  packages: { axios: "1.0.0" },
});

describe("the bundle's dependencies with a lockfile", () => {
  it("are unchanged when the lockfile's size and modification time are, and the lockfile is not even read", () => {
    const fs = memoryFs({ [LOCK]: { contents: "lock-v1", mtimeMs: 5 } });
    expect(areDependenciesUnchanged(DIR, lockInputs("lock-v1", 5), fs)).toBe(true);
    expect(fs.reads).toEqual([]);
  });

  it("are unchanged when the lockfile was rewritten with the same content (only then is it hashed)", () => {
    const fs = memoryFs({ [LOCK]: { contents: "lock-v1", mtimeMs: 9 } });
    expect(areDependenciesUnchanged(DIR, lockInputs("lock-v1", 5), fs)).toBe(true);
    expect(fs.reads).toEqual([LOCK]);
  });

  it("have changed when the lockfile's content did (npm update)", () => {
    const fs = memoryFs({ [LOCK]: { contents: "lock-v2", mtimeMs: 9 } });
    expect(areDependenciesUnchanged(DIR, lockInputs("lock-v1", 5), fs)).toBe(false);
  });
});

describe("the bundle's dependencies without the lockfile (installed as a dependency)", () => {
  const packages = { axios: "1.7.9", "@scope/tool": "2.0.0", "pg/node_modules/pg-types": "4.0.1" };
  const installed = (axios: string) =>
    memoryFs({
      "/project/node_modules/axios/package.json": JSON.stringify({ version: axios }),
      "/project/node_modules/@scope/tool/package.json": JSON.stringify({ version: "2.0.0" }),
      "/project/node_modules/pg/node_modules/pg-types/package.json": JSON.stringify({ version: "4.0.1" }),
      [`${DIR}/hook-bundle.js`]: "",
    });

  it("are unchanged while every bundled package, hoisted, scoped or nested, has its built-in version", () => {
    expect(areDependenciesUnchanged(DIR, { files: [], lockfile: lockInputs("x", 1).lockfile!, packages }, installed("1.7.9"))).toBe(true);
  });

  it("have changed when a bundled package's installed version differs", () => {
    expect(areDependenciesUnchanged(DIR, { files: [], packages }, installed("1.8.0"))).toBe(false);
  });

  it("have changed when a bundled package is no longer installed", () => {
    expect(areDependenciesUnchanged(DIR, { files: [], packages: { "gone-package": "1.0.0" } }, installed("1.7.9"))).toBe(false);
  });
});

describe("the bundle's compiled files", () => {
  const MAIN = `${DIR}/main.js`;
  const BUILT_AT = 100;
  const withMain = (mainMtimeMs: number, lockfile: boolean) =>
    memoryFs({ [MAIN]: { contents: "//", mtimeMs: mainMtimeMs }, ...(lockfile ? { [LOCK]: { contents: "lock-v1", mtimeMs: 5 } } : {}) });
  const inputs = (lockfile: boolean): BundleInputs => ({ ...lockInputs("lock-v1", 5), files: ["main.js"], packages: {}, ...(lockfile ? {} : { lockfile: undefined }) });

  it("in a checkout, are unchanged when none is newer than the bundle", () => {
    expect(areInputsUnchanged(DIR, BUILT_AT, inputs(true), withMain(BUILT_AT, true))).toBe(true);
  });

  it("in a checkout, have changed when one was compiled again after the bundle (tsc --watch)", () => {
    expect(areInputsUnchanged(DIR, BUILT_AT, inputs(true), withMain(BUILT_AT + 1, true))).toBe(false);
  });

  it("installed (no lockfile), are unchanged though npm extracted them after the bundle, in its own order", () => {
    expect(areInputsUnchanged(DIR, BUILT_AT, inputs(false), withMain(BUILT_AT + 1, false))).toBe(true);
  });

  it("installed (no lockfile), have changed when one's size is not the one the build recorded (edited in node_modules)", () => {
    const recorded: BundleInputs = { ...inputs(false), sizes: [2] };
    expect(areInputsUnchanged(DIR, BUILT_AT, recorded, withMain(BUILT_AT + 1, false))).toBe(true);
    const edited = memoryFs({ [MAIN]: { contents: "// patched", mtimeMs: BUILT_AT + 1 } });
    expect(areInputsUnchanged(DIR, BUILT_AT, recorded, edited)).toBe(false);
  });

  it("have changed when one is gone, installed or in a checkout", () => {
    expect(areInputsUnchanged(DIR, BUILT_AT, inputs(false), memoryFs({}))).toBe(false);
    expect(areInputsUnchanged(DIR, BUILT_AT, inputs(true), memoryFs({ [LOCK]: { contents: "lock-v1", mtimeMs: 5 } }))).toBe(false);
  });
});

describe("reading what the build recorded", () => {
  it("names a bundled file's package below the first node_modules: plain, scoped and nested", () => {
    expect(bundledPackagePath(join("node_modules", "axios", "lib", "axios.js"))).toBe("axios");
    expect(bundledPackagePath("../../node_modules/@scope/tool/index.js")).toBe("@scope/tool");
    expect(bundledPackagePath("node_modules/pg/node_modules/pg-types/index.js")).toBe("pg/node_modules/pg-types");
    expect(bundledPackagePath("dist/cli/main.js")).toBeUndefined();
  });

  it("takes an older build's plain list of files as no record at all", () => {
    expect(parseBundleInputs('["main.js"]')).toBeUndefined();
    expect(parseBundleInputs('{"files":["main.js"],"packages":{"axios":"1.0.0"}}')).toEqual({ files: ["main.js"], packages: { axios: "1.0.0" } });
    expect(parseBundleInputs('{"files":["main.js"],"sizes":[1,2],"packages":{}}')).toBeUndefined();
  });
});
