import { ConnectionOutputs, type OAuthConnectionSpec } from "../../../contract/connection";
import { parseHookSpec } from "../../../contract/hook-spec";
import { formatBackendAddress, type StateBackendAddress } from "../../../contract/state-address";
import type { DriftFinding } from "../../drift/findings";
import type { DriftCheckContext, DriftTarget, DriftVendApp, KindCheckResult, KindDriftCheck } from "../../drift/kind-check";
import type { StoredDocument } from "../../state";
import { ConnectionNotConsentedError, ConsentRequiredError } from "../../tokens/errors";
import { XeroInvalidClientError } from "../../xero/errors";
import { describeApp, XERO_APP_MANAGEMENT_URL } from "../runtime/errors";
import { connectCommand, liveConnectionFindings, recordedConnectionFindings, recordedTenantsOf, refusedRefreshFinding } from "./drift-findings";
import { documentTokenSetStore } from "./token-set-store";

/**
 * Drift of an `XeroOAuthConnection`:
 * - from the document: no consent yet, a new consent needed, the refresh token past keepAlive (a
 *   warning) or within 5 days of Xero's 60-day limit (or past it);
 * - live, with an access token from the token vending protocol only (the cached one, or the one
 *   refresh any `token` call would make, under the document's lock): GET /connections against the
 *   recorded and declared organisations, the token's scopes against the declared ones. A refresh Xero
 *   refuses (invalid_grant) means the consent is gone. `--no-refresh` leaves the live part unchecked
 *   when the cached access token is not good.
 */

const NOT_CHECKED = "organisations and scopes not checked live";

async function check(target: DriftTarget<OAuthConnectionSpec>, ctx: DriftCheckContext): Promise<KindCheckResult> {
  const { spec, stored } = target;
  const backend = await ctx.backend(spec.backend);
  // The envelope must open with the keys drift was given, as a deploy's must: a key error is thrown
  // and reported by the runner as `document.unreadable`.
  if (stored.values[ConnectionOutputs.names.secrets] !== undefined) await backend.openSecrets(stored);
  const recorded = recordedConnectionFindings(spec, stored.values, ctx.now);
  if (recorded.settled) return { findings: recorded.findings, notes: [] };

  const app = spec.app;
  const clientSecret = app.clientSecret;
  const vendApp: DriftVendApp = {
    clientId: app.clientId,
    ...(clientSecret === undefined
      ? {}
      : { clientSecret: () => ctx.appSecret({ appName: app.appName, clientId: app.clientId, appKind: app.appKind, document: app.document, backend: app.backend, reference: clientSecret }) }),
  };
  const backendFlag = `--backend ${formatBackendAddress(spec.backend)}`;
  let answer;
  try {
    answer = await ctx.vendAccessToken({ backend: spec.backend, store: (opened) => documentTokenSetStore(opened, spec.document, { backendFlag }) }, vendApp);
  } catch (error) {
    if (error instanceof ConsentRequiredError) return { findings: [...recorded.findings, refusedRefreshFinding(spec, error.reason)], notes: [] };
    if (error instanceof ConnectionNotConsentedError) return { findings: recordedConnectionFindings(spec, {}, ctx.now).findings, notes: [] };
    if (error instanceof XeroInvalidClientError) return { findings: [...recorded.findings, invalidClientFinding(spec)], notes: [] };
    throw error;
  }
  switch (answer.kind) {
    case "refresh_not_allowed":
      return { findings: recorded.findings, notes: [`${NOT_CHECKED} (--no-refresh): ${answer.why}, and only a refresh would give drift a token`] };
    case "secret_unavailable":
      if (target.origin === "document") {
        return { findings: recorded.findings, notes: [`${NOT_CHECKED}: a refresh is needed and ${answer.problem}`] };
      }
      return {
        findings: [...recorded.findings, { code: "secret.unavailable", expected: `the client secret of ${describeApp(app)}, to refresh the connection's token set`, live: answer.problem, fix: answer.fix }],
        notes: [],
      };
    case "no_token_set": {
      // Another process changed the record since drift read it: report what it says now.
      const now = (await backend.read(spec.document))?.values ?? {};
      return { findings: recordedConnectionFindings(spec, now, ctx.now).findings, notes: [] };
    }
    case "vended":
      break;
  }
  const { token } = answer;
  const xero = ctx.xero({ clientId: app.clientId });
  const connections = await xero.listConnections(token.accessToken);
  const claimed = xero.decodeAccessToken(token.accessToken).scopes;
  const findings = [...recorded.findings, ...liveConnectionFindings(spec, recordedTenantsOf(stored.values), connections, claimed.length > 0 ? claimed : token.scopes)];
  const notes = token.refreshed
    ? [`the cached access token was not good, so drift refreshed the token set through the token vending protocol (under the document's lock, as \`cdktf-xero token\` does); the refresh token's age above is as drift found it`]
    : [];
  return { findings, notes };
}

function invalidClientFinding(spec: OAuthConnectionSpec): DriftFinding {
  return {
    code: "registration.invalid_client",
    expected: `${describeApp(spec.app)} accepts its client secret`,
    live: "Xero answers invalid_client to the connection's refresh: the app's secret was deleted or regenerated, or the app is gone",
    fix: `Generate a new secret for the app at ${XERO_APP_MANAGEMENT_URL} and update the reference the connection declares (or stage it with a XeroSecretRotation); then deploy`,
  };
}

function isConnectionSpec(value: unknown): value is OAuthConnectionSpec {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "oauth_connection";
}

export const oauthConnectionDriftCheck: KindDriftCheck<OAuthConnectionSpec> = {
  kind: "oauth_connection",
  // Only a connection records its declaration, from the first apply on (before any consent, when it
  // records no status yet: awaiting_consent is the default).
  recognises: (stored: StoredDocument) => typeof stored.values[ConnectionOutputs.names.declaration] === "string",
  specNeedsOtherDocuments: () => false,
  specFromDocument(stored: StoredDocument, backend: StateBackendAddress) {
    const declaration = ConnectionOutputs.decode(stored.values).declaration;
    if (declaration === undefined || declaration === "") return { problem: "the document records no declaration (connection_spec): never connected nor applied" };
    let spec;
    try {
      spec = parseHookSpec(JSON.parse(declaration) as unknown);
    } catch (error) {
      return { problem: `the recorded declaration (connection_spec) cannot be read: ${(error as Error).message}` };
    }
    if (!isConnectionSpec(spec)) return { problem: `the recorded declaration (connection_spec) is a ${spec.kind}, not an oauth_connection` };
    // The document was found in `backend`, as drift was told to reach it; the recorded address may be
    // relative to a stack directory this run does not have. The app's document lives beside it when
    // the declaration said so.
    const recordedBackend = formatBackendAddress(spec.backend);
    const appBackend = formatBackendAddress(spec.app.backend) === recordedBackend ? backend : spec.app.backend;
    return { ...spec, document: stored.name, backend, app: { ...spec.app, backend: appBackend } };
  },
  check,
};


