import { readFileSync, readlinkSync } from "node:fs";

/**
 * Which running system a process belongs to, beyond its host name: containers that share a state
 * volume and a host name but not a PID namespace see each other's pids as meaningless (a pid that
 * is not alive here may be alive there). Lock files record this so that only a holder from this
 * same boot and PID namespace is judged by whether its pid is alive (lock-file.ts).
 */
export interface ProcessIdentity {
  /** `/proc/sys/kernel/random/boot_id`: changes on every boot. */
  readonly bootId?: string;
  /** The target of `/proc/self/ns/pid`, e.g. `pid:[4026531836]`: the PID namespace's inode. */
  readonly pidNamespace?: string;
}

/** How the identity is read; injected in tests. */
export interface ProcessIdentitySource {
  readFile(file: string): string;
  readLink(file: string): string;
}

const PROC: ProcessIdentitySource = {
  readFile: (file) => readFileSync(file, "utf8"),
  readLink: (file) => readlinkSync(file),
};

/** This process's identity; a part that cannot be read (no /proc: macOS, Windows) is left out. */
export function readProcessIdentity(source: ProcessIdentitySource = PROC): ProcessIdentity {
  const attempt = (read: () => string): string | undefined => {
    try {
      const value = read().trim();
      return value === "" ? undefined : value;
    } catch {
      return undefined;
    }
  };
  const bootId = attempt(() => source.readFile("/proc/sys/kernel/random/boot_id"));
  const pidNamespace = attempt(() => source.readLink("/proc/self/ns/pid"));
  return { ...(bootId === undefined ? {} : { bootId }), ...(pidNamespace === undefined ? {} : { pidNamespace }) };
}

let cached: ProcessIdentity | undefined;

/** {@link readProcessIdentity} from /proc, read once per process. */
export function currentProcessIdentity(): ProcessIdentity {
  cached ??= readProcessIdentity();
  return cached;
}

/** Whether two identities name the same boot and PID namespace (parts neither side could read count as equal). */
export function isSameRuntime(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.bootId === b.bootId && a.pidNamespace === b.pidNamespace;
}
