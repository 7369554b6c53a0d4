import { CdktfXeroError } from "../errors";

/** Where the token set lives and how a person reaches it again: for the `connect` command in messages. */
export interface TokenSetLocation {
  /** The state document that holds the token set. */
  readonly document: string;
  /** The `--backend` flag that names its backend, e.g. `--backend local:.cdktf-xero/state` (no secrets). */
  readonly backendFlag: string;
}

function connectCommand(location: TokenSetLocation): string {
  return `cdktf-xero connect ${location.document} ${location.backendFlag}`.trim();
}

/** The connection is declared but nobody has consented yet: there is no token set to use. */
export class ConnectionNotConsentedError extends CdktfXeroError {
  readonly code = "CONNECTION_NOT_CONSENTED";
  constructor(readonly location: TokenSetLocation) {
    super(
      `state document "${location.document}" holds no token set yet: nobody has consented to this connection. ` +
        `Run \`${connectCommand(location)}\` and consent in the browser (or add --manual on a machine without one).`,
      { context: { document: location.document } },
    );
  }
}

/**
 * No stored token can work again (refused by Xero, expired unused, or lost with Xero's grace): only a
 * new consent helps. Recorded in the document, so every command says the same until then.
 */
export class ConsentRequiredError extends CdktfXeroError {
  readonly code = "CONNECTION_NEEDS_CONSENT";
  constructor(
    readonly location: TokenSetLocation,
    readonly reason: string,
  ) {
    super(
      `the connection in state document "${location.document}" needs a new consent: ${reason}. ` +
        `Run \`${connectCommand(location)}\` and consent again; the new token set replaces the old one.`,
      { context: { document: location.document } },
    );
  }
}

/** The document `token` was asked for does not exist in the backend. */
export class TokenDocumentNotFoundError extends CdktfXeroError {
  readonly code = "TOKEN_DOCUMENT_NOT_FOUND";
  constructor(readonly document: string, backendLabel: string) {
    super(
      `state document "${document}" does not exist in ${backendLabel}: check the name (\`cdktf-xero state list --backend …\` lists them) ` +
        `and --backend; a connection's document appears once \`cdktf deploy\` created it`,
      { context: { document } },
    );
  }
}

/** The document was retired (its resource destroyed): its tokens must no longer be handed out. */
export class TokenDocumentRetiredError extends CdktfXeroError {
  readonly code = "TOKEN_DOCUMENT_RETIRED";
  constructor(readonly document: string, backendLabel: string) {
    super(
      `state document "${document}" in ${backendLabel} is retired (its resource was destroyed), so no access token is handed out for it; ` +
        `declare the connection again and run \`cdktf deploy\`, or use the document of a live connection`,
      { context: { document } },
    );
  }
}

/** The document is no connection a token can be vended for (an app of another kind, a rotation, or one never applied). */
export class NotATokenDocumentError extends CdktfXeroError {
  readonly code = "NOT_A_CONNECTION_DOCUMENT";
  constructor(readonly document: string, backendLabel: string, what: string) {
    super(
      `state document "${document}" in ${backendLabel} ${what}, so it has no access token to hand out; name the document of a ` +
        `XeroOAuthConnection (after \`cdktf-xero connect\`), of a Custom Connection's XeroAppRegistration or of a XeroCustomConnection (after \`cdktf deploy\`)`,
      { context: { document } },
    );
  }
}

/** A tenant was asked for that the connection's consent does not cover. */
export class TenantNotConnectedError extends CdktfXeroError {
  readonly code = "TENANT_NOT_CONNECTED";
  constructor(
    readonly location: TokenSetLocation,
    readonly tenant: string,
    readonly recorded: ReadonlyArray<{ readonly tenantId: string; readonly tenantName: string }>,
  ) {
    const listed = recorded.length === 0 ? "none recorded" : recorded.map((t) => `"${t.tenantName}" (${t.tenantId})`).join(", ");
    super(
      `the connection in state document "${location.document}" does not cover the organisation ${JSON.stringify(tenant)} (by tenant id or name); ` +
        `it covers: ${listed}. Pass one of those to --tenant, or consent again for that organisation (\`${connectCommand(location)}\`)`,
      { context: { document: location.document, tenant } },
    );
  }
}

/** A Custom Connection document written before its apply recorded where the client secret comes from. */
export class ClientSecretSourceMissingError extends CdktfXeroError {
  readonly code = "CLIENT_SECRET_SOURCE_MISSING";
  constructor(readonly document: string, backendLabel: string) {
    super(
      `state document "${document}" in ${backendLabel} does not record where its Custom Connection's client secret comes from ` +
        `(client_secret_source: written by \`hook apply\` since this version of cdktf-xero); run \`cdktf deploy\` once to record it`,
      { context: { document } },
    );
  }
}
