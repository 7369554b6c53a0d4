import { CdktfXeroError } from "../errors";
import type { StateBackend } from "./backend-interface";
import { SECRETS_OUTPUT } from "./document";
import { parseEnvelope } from "./secret-envelope";

export interface RekeyReport {
  /** Documents whose envelope was re-encrypted with the keyring's first key. */
  readonly rekeyed: readonly { readonly document: string; readonly fromKid: string; readonly toKid: string }[];
  /** Documents already on the first key, or without secrets. */
  readonly unchanged: readonly string[];
  /** Documents that could not be re-encrypted (unknown kid, wrong key, corrupt), with the error. */
  readonly failed: readonly { readonly document: string; readonly error: CdktfXeroError }[];
}

/**
 * Re-encrypts every document's `secrets` envelope with the first key of the keyring, each under its
 * document's lock with a compare-and-swap write (history action `rekey`). One document failing does not
 * stop the others; the report says which failed and why.
 */
export async function rekeyDocuments(backend: StateBackend, options: { timeoutMs?: number } = {}): Promise<RekeyReport> {
  const rekeyed: { document: string; fromKid: string; toKid: string }[] = [];
  const unchanged: string[] = [];
  const failed: { document: string; error: CdktfXeroError }[] = [];
  for (const name of await backend.list()) {
    try {
      let change: { fromKid: string; toKid: string } | undefined;
      await backend.update(
        name,
        async (current) => {
          change = undefined;
          const sealed = current?.values[SECRETS_OUTPUT];
          if (current === undefined || typeof sealed !== "string") return undefined;
          const fromKid = parseEnvelope(name, backend.label, sealed).kid;
          const resealed = await backend.sealSecrets(name, await backend.openSecrets(current));
          const toKid = parseEnvelope(name, backend.label, resealed).kid;
          if (toKid === fromKid) return undefined;
          change = { fromKid, toKid };
          return { ...current.values, [SECRETS_OUTPUT]: resealed };
        },
        { action: "rekey", ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) },
      );
      if (change === undefined) unchanged.push(name);
      else rekeyed.push({ document: name, ...change });
    } catch (error) {
      if (!(error instanceof CdktfXeroError)) throw error;
      failed.push({ document: name, error });
    }
  }
  return { rekeyed, unchanged, failed };
}
