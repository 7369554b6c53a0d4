/**
 * Where a test run keeps its temporary files: in memory (a tmpfs such as Linux's /dev/shm) when the
 * machine has one with room to spare, so that the run does not wait on the disk.
 *
 * The local state backend fsyncs every write and its directory (a completed write must survive a
 * power cut), and the suites make thousands of such writes, many of them one after another behind a
 * lock: about 9 ms each on a virtual disk, against 0.06 ms in memory. That wait is time both cores
 * can sit idle in. No test can cut the power, so what the tests prove (crash safety under SIGKILL,
 * atomic renames, file modes) holds the same in memory; the throwaway PostgreSQL runs with fsync off
 * for the same reason.
 */
import { accessSync, chmodSync, constants, mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Linux's shared-memory tmpfs: on every Linux machine, though containers often make it small. */
export const MEMORY_FILESYSTEM = "/dev/shm";
/**
 * Room a run needs at its peak: the package test installs a fresh checkout (about 600 MB) and a
 * project of its own while other suites run beside it.
 */
export const REQUIRED_FREE_BYTES = 4 * 1024 ** 3;

export type MemoryTempDirRefusal = "absent" | "too small" | "not writable" | "noexec";

/**
 * Makes a directory for the run's temporary files in `base`, or says why `base` will not do. It must
 * allow executing files: the package test runs the native binaries (esbuild) it installs there.
 */
export function makeMemoryTempDir(base: string = MEMORY_FILESYSTEM, requiredFreeBytes: number = REQUIRED_FREE_BYTES): { dir: string } | { refused: MemoryTempDirRefusal } {
  let free: number;
  try {
    const stats = statfsSync(base);
    free = stats.bavail * stats.bsize;
  } catch {
    return { refused: "absent" };
  }
  if (free < requiredFreeBytes) return { refused: "too small" };
  let dir: string;
  try {
    dir = mkdtempSync(join(base, "cdktf-xero-tests-"));
    // The mode of /tmp: some tests run a process as another user (nobody), which must reach its files.
    chmodSync(dir, 0o1777);
  } catch {
    return { refused: "not writable" };
  }
  // access(X_OK) fails on a filesystem mounted noexec (Docker mounts its /dev/shm so).
  const probe = join(dir, "exec-probe");
  writeFileSync(probe, "#!/bin/sh\n", { mode: 0o755 });
  try {
    accessSync(probe, constants.X_OK);
    rmSync(probe);
    return { dir };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return { refused: "noexec" };
  }
}
