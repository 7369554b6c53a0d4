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
