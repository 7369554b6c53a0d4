import { CACHED_ACCESS_TOKEN_KEY, ClientSecretSourceOutputs, decodeClientSecretSource } from "../../contract/client-secret-source";
import { CommonOutputs } from "../../contract/document-codec";
import { formatRfc3339, parseRfc3339 } from "../clock";
import type { AppDescription } from "../lifecycle/runtime/errors";
import type { StateBackend, StoredDocument } from "../state";
import type { AppSecretDeps } from "./app-secret";
import { ClientSecretSourceMissingError, TokenDocumentNotFoundError, TokenDocumentRetiredError } from "./errors";
import { DEFAULT_TOKEN_POLICY } from "./token-set-record";

/**
 * A Custom Connection's access token (client credentials: no refresh token, no user), minted with
 * the app's current client secret (its rotation's CURRENT once recorded) and cached in the sealed
 * envelope of the document it was asked for (the app's registration or a link to it), so every
 * consumer reuses one token until 5 minutes before it expires instead of asking Xero each time.
 * Minting happens under the document's lock: concurrent consumers wait for one token request.
 */

/** The history action of the write that caches a new access token. */
export const ACCESS_TOKEN_HISTORY_ACTION = "access_token";

export interface CustomConnectionTokenOptions extends AppSecretDeps {
  readonly lockTimeoutMs?: number;
}

export interface CustomConnectionAccessToken {
  readonly accessToken: string;
  readonly expiresAt: Date;
  /** Whether this call asked Xero for it (false: the cached one). */
  readonly minted: boolean;
}

export async function customConnectionAccessToken(
  backend: StateBackend,
  stored: StoredDocument,
  options: CustomConnectionTokenOptions,
): Promise<CustomConnectionAccessToken> {
  const document = stored.name;
  const source = decodeClientSecretSource(stored.values[ClientSecretSourceOutputs.source]);
  if (source === undefined) throw new ClientSecretSourceMissingError(document, backend.label);
  const early = await cachedToken(backend, stored, options.clock.now());
  if (early !== undefined) return early;

  return backend.withLock(
    document,
    async () => {
      // Another process may have minted one while this one waited for the lock.
      const current = await backend.read(document);
      if (current === undefined) throw new TokenDocumentNotFoundError(document, backend.label);
      const outputs = CommonOutputs.decode(current.values);
      if (outputs.retired === true) throw new TokenDocumentRetiredError(document, backend.label);
      const cached = await cachedToken(backend, current, options.clock.now());
      if (cached !== undefined) return cached;

      const app: AppDescription = { appName: outputs.appName ?? document, clientId: outputs.clientId ?? "", appKind: "custom_connection" };
      // Loaded only to mint: a cached token needs no Xero client.
      const { withAppSecret } = require("./app-secret") as typeof import("./app-secret");
      const { customConnectionToken } = require("../lifecycle/app/credentials") as typeof import("../lifecycle/app/credentials");
      const tokens = await withAppSecret(
        { app, appDocument: source.appDocument, backend: source.backend, clientSecret: source.clientSecret, declaredIn: document },
        options,
        async (secret, ctx) => (await customConnectionToken({ ...app, secretReference: source.clientSecret }, secret, ctx)).tokens,
      );
      const secrets = await backend.openSecrets(current);
      await backend.write(
        document,
        current.serial,
        {
          ...current.values,
          [ClientSecretSourceOutputs.accessTokenExpiresAt]: formatRfc3339(tokens.expiresAt),
          [CommonOutputs.names.secrets]: await backend.sealSecrets(document, { ...secrets, [CACHED_ACCESS_TOKEN_KEY]: tokens.accessToken }),
        },
        { action: ACCESS_TOKEN_HISTORY_ACTION, ...(options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs }) },
      );
      return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, minted: true };
    },
    options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs },
  );
}

/** The cached token when it is good for longer than the reuse margin; its envelope is opened only then. */
async function cachedToken(backend: StateBackend, stored: StoredDocument, now: Date): Promise<CustomConnectionAccessToken | undefined> {
  const text = stored.values[ClientSecretSourceOutputs.accessTokenExpiresAt];
  const expiresAt = typeof text === "string" ? parseRfc3339(text) : undefined;
  if (expiresAt === undefined || expiresAt.getTime() - now.getTime() <= DEFAULT_TOKEN_POLICY.accessTokenReuseMarginMs) return undefined;
  const accessToken = (await backend.openSecrets(stored))[CACHED_ACCESS_TOKEN_KEY];
  return accessToken === undefined || accessToken === "" ? undefined : { accessToken, expiresAt, minted: false };
}
