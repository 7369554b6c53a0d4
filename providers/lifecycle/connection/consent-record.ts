import { CommonOutputs } from "../../../contract/document-codec";
import { ConnectionOutputs, ConnectionSecretKeys, type OAuthConnectionSpec } from "../../../contract/connection";
import { canonicalJson } from "../../../contract/hook-spec";
import { formatRfc3339 } from "../../clock";
import type { StateBackend, StoredDocument } from "../../state";
import { CdktfXeroError } from "../../errors";
import type { ConsentResult } from "../../xero/consent-flow";
import { tokenSetOutputs } from "./token-set-store";

/** The history action of the write that stores a new consent. */
export const CONSENT_HISTORY_ACTION = "consent";

/** A consent came back without a refresh token: storing it would store a connection that dies in 30 minutes. */
export class ConsentWithoutRefreshTokenError extends CdktfXeroError {
  readonly code = "CONSENT_WITHOUT_REFRESH_TOKEN";
  constructor(readonly document: string, readonly grantedScopes: readonly string[]) {
    super(
      `the consent for "${document}" came back without a refresh token (granted scopes: ${grantedScopes.join(" ") || "none"}), so nothing was stored: ` +
        `the app must include offline_access in its scopes and the consent must ask for it; add it and run connect again`,
      { context: { document } },
    );
  }
}

/**
 * Stores a new consent as the connection document's only token set, in one write under the
 * document's lock: the tokens sealed in the envelope (replacing any old set and clearing a
 * `needs_consent` or an unfinished refresh), who consented and which organisations it covers, the
 * declaration it was made for, and the generation bumped so the next plan runs the connection's hook
 * (which verifies tenants and scopes against the declaration). Returns the stored document.
 */
export async function storeConsent(
  backend: StateBackend,
  spec: OAuthConnectionSpec,
  consent: ConsentResult,
  now: Date,
): Promise<StoredDocument> {
  const refreshToken = consent.tokens.refreshToken;
  if (refreshToken === undefined) throw new ConsentWithoutRefreshTokenError(spec.document, consent.tokens.scopes);
  const record = {
    tokenSet: {
      refreshToken,
      refreshTokenIssuedAt: now,
      accessToken: consent.tokens.accessToken,
      accessTokenExpiresAt: consent.tokens.expiresAt,
      scopes: consent.tokens.scopes,
    },
  };
  const stored = await backend.update(
    spec.document,
    async (current) => {
      const values = { ...current?.values, ...ConnectionOutputs.encode({ keepAliveSeconds: spec.keepAliveSeconds }) };
      const secrets = { ...(current === undefined ? {} : await backend.openSecrets(current)) };
      secrets[ConnectionSecretKeys.refreshToken] = refreshToken;
      secrets[ConnectionSecretKeys.accessToken] = consent.tokens.accessToken;
      return {
        ...values,
        ...tokenSetOutputs(record, values),
        ...ConnectionOutputs.encode({
          declaration: canonicalJson(spec),
          clientId: spec.app.clientId,
          appName: spec.app.appName,
          tenantIds: consent.tenants.map((tenant) => tenant.tenantId),
          tenantNames: consent.tenants.map((tenant) => tenant.tenantName),
          userEmail: consent.identity.email ?? consent.identity.preferredUsername ?? "",
          userGivenName: consent.identity.givenName ?? "",
          userFamilyName: consent.identity.familyName ?? "",
          connectedAt: formatRfc3339(now),
          generation: (CommonOutputs.decode(current?.values).generation ?? 0) + 1,
          retired: false,
        }),
        [CommonOutputs.names.secrets]: await backend.sealSecrets(spec.document, secrets),
      };
    },
    { action: CONSENT_HISTORY_ACTION },
  );
  if (stored === undefined) throw new Error(`storing the consent for "${spec.document}" wrote nothing`);
  return stored;
}
