import { ConnectionOutputs, ConnectionPolicy, ConnectionSecretKeys, type ConnectionStatus } from "../../../contract/connection";
import { formatRfc3339, parseRfc3339 } from "../../clock";
import { formatBackendAddress } from "../../../contract/state-address";
import { refreshDueAt } from "./decisions";
import type { OutputValues, StateBackend, StoredDocument } from "../../state";
import type { SecretValues } from "../../state/secret-envelope";
import type { TokenSetLocation } from "../../tokens/errors";
import type { TokenSetStore } from "../../tokens/locked-refresh";
import type { TokenSetRecord } from "../../tokens/token-set-record";

/**
 * The token vending protocol's store (providers/tokens/locked-refresh.ts) over one connection
 * document: the record's tokens in the sealed envelope (the only copy), its times, the write-ahead
 * record and the consent status as plain outputs (contract/connection.ts). Every other output of the
 * document, and every other envelope key, is carried over unchanged by each write.
 */

const { names } = ConnectionOutputs;

/** The history action of a write that changed the token set or its record. */
export const TOKEN_SET_HISTORY_ACTION = "token_set";

export interface DocumentTokenSetStoreOptions {
  /** How `connect` is named in messages; @default `--backend <the backend's address>` */
  readonly backendFlag?: string;
  /** How long a lock waits for another holder. @default the backend's */
  readonly lockTimeoutMs?: number;
  /**
   * The document as the caller has just read it: the store's first read answers with it instead of
   * reading again (the protocol's first look takes no lock, so an earlier read is as good). Later
   * reads, the ones under the lock, always read the backend. @default none (the first read reads)
   */
  readonly alreadyRead?: StoredDocument;
}

/** The store of the connection document `document` in `backend`. */
export function documentTokenSetStore(backend: StateBackend, document: string, options: DocumentTokenSetStoreOptions = {}): TokenSetStore {
  const location: TokenSetLocation = { document, backendFlag: options.backendFlag ?? `--backend ${formatBackendAddress(backend.address)}` };
  const lockOptions = options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs };
  // The document as this store last read or wrote it: the base every write keeps the other outputs of.
  let latest: { stored: StoredDocument; secrets: SecretValues } | undefined;
  let alreadyRead = options.alreadyRead;

  async function load(): Promise<{ stored: StoredDocument; secrets: SecretValues } | undefined> {
    const stored = alreadyRead ?? (await backend.read(document));
    alreadyRead = undefined;
    latest = stored === undefined ? undefined : { stored, secrets: await backend.openSecrets(stored) };
    return latest;
  }

  return {
    location,
    async read() {
      const loaded = await load();
      return { serial: loaded?.stored.serial, record: tokenSetRecordOf(loaded?.stored.values, loaded?.secrets ?? {}) };
    },
    async write(expectedSerial, record) {
      // A base read at another serial means someone wrote in between: the write below fails on the serial.
      const base = latest !== undefined && latest.stored.serial === expectedSerial ? latest : await load();
      const secrets = secretsOf(base?.secrets ?? {}, record);
      const values: OutputValues = {
        ...base?.stored.values,
        ...tokenSetOutputs(record, base?.stored.values),
        [names.secrets]: await backend.sealSecrets(document, secrets),
      };
      const written = await backend.write(document, expectedSerial, values, { action: TOKEN_SET_HISTORY_ACTION, ...lockOptions });
      latest = { stored: written, secrets };
      return written.serial;
    },
    withLock: (fn) => backend.withLock(document, fn, lockOptions),
    async fingerprint(refreshToken) {
      const fingerprint = await backend.fingerprintSecret(refreshToken);
      if (fingerprint === undefined) throw new Error(`no state key can fingerprint the refresh token of "${document}"`);
      return fingerprint;
    },
  };
}

/** The record the vending protocol reads, from a connection document's outputs and opened envelope. */
export function tokenSetRecordOf(values: OutputValues | undefined, secrets: SecretValues): TokenSetRecord {
  const outputs = ConnectionOutputs.decode(values);
  const refreshToken = secrets[ConnectionSecretKeys.refreshToken];
  const accessToken = secrets[ConnectionSecretKeys.accessToken];
  const issuedAt = dateOf(outputs.refreshTokenIssuedAt);
  const accessExpiresAt = dateOf(outputs.accessTokenExpiresAt);
  const startedAt = dateOf(outputs.refreshStartedAt);
  const needsConsentSince = dateOf(outputs.needsConsentSince);
  return {
    ...(refreshToken === undefined || issuedAt === undefined
      ? {}
      : {
          tokenSet: {
            refreshToken,
            refreshTokenIssuedAt: issuedAt,
            ...(accessToken === undefined || accessExpiresAt === undefined ? {} : { accessToken, accessTokenExpiresAt: accessExpiresAt }),
            scopes: outputs.grantedScopes ?? [],
          },
        }),
    ...(outputs.refreshStartedFingerprint === undefined || outputs.refreshStartedFingerprint === "" || startedAt === undefined
      ? {}
      : { refreshStarted: { fingerprint: outputs.refreshStartedFingerprint, startedAt } }),
    ...(outputs.needsConsentReason === undefined || outputs.needsConsentReason === ""
      ? {}
      : { needsConsent: { reason: outputs.needsConsentReason, since: needsConsentSince ?? new Date(0) } }),
  };
}

/** The plain outputs that stand for `record` (every one of them set, so a cleared part is cleared). */
export function tokenSetOutputs(record: TokenSetRecord, current: OutputValues | undefined): OutputValues {
  const tokenSet = record.tokenSet;
  const status: ConnectionStatus = record.needsConsent !== undefined ? "needs_consent" : tokenSet !== undefined ? "connected" : "awaiting_consent";
  const keepAliveSeconds = ConnectionOutputs.decode(current).keepAliveSeconds ?? ConnectionPolicy.defaultKeepAliveSeconds;
  const issuedAt = tokenSet?.refreshTokenIssuedAt;
  const after = (seconds: number): string => (issuedAt === undefined ? "" : formatRfc3339(refreshDueAt(issuedAt, seconds)));
  return ConnectionOutputs.encode({
    status,
    grantedScopes: tokenSet?.scopes ?? ConnectionOutputs.decode(current).grantedScopes ?? [],
    refreshTokenIssuedAt: issuedAt === undefined ? "" : formatRfc3339(issuedAt),
    refreshTokenExpiresAt: after(ConnectionPolicy.refreshTokenLifetimeSeconds),
    refreshDueAt: after(keepAliveSeconds),
    refreshFailAt: after(ConnectionPolicy.maxKeepAliveSeconds),
    accessTokenExpiresAt: tokenSet?.accessToken === undefined || tokenSet.accessTokenExpiresAt === undefined ? "" : formatRfc3339(tokenSet.accessTokenExpiresAt),
    refreshStartedFingerprint: record.refreshStarted?.fingerprint ?? "",
    refreshStartedAt: record.refreshStarted === undefined ? "" : formatRfc3339(record.refreshStarted.startedAt),
    needsConsentReason: record.needsConsent?.reason ?? "",
    needsConsentSince: record.needsConsent === undefined ? "" : formatRfc3339(record.needsConsent.since),
  });
}

/** The envelope for `record`: its tokens under their keys (absent ones removed), other keys kept. */
function secretsOf(current: SecretValues, record: TokenSetRecord): SecretValues {
  const next: Record<string, string> = { ...current };
  delete next[ConnectionSecretKeys.refreshToken];
  delete next[ConnectionSecretKeys.accessToken];
  const tokenSet = record.tokenSet;
  if (tokenSet !== undefined) {
    next[ConnectionSecretKeys.refreshToken] = tokenSet.refreshToken;
    if (tokenSet.accessToken !== undefined && tokenSet.accessTokenExpiresAt !== undefined) next[ConnectionSecretKeys.accessToken] = tokenSet.accessToken;
  }
  return next;
}

function dateOf(text: string | undefined): Date | undefined {
  return text === undefined ? undefined : parseRfc3339(text);
}
