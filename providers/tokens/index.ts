/**
 * `cdktf-xero/tokens`: access tokens for consumers, without cdktf or the constructs. The same as
 * `cdktf-xero token`; see get-access-token.ts.
 */
export { getAccessToken, type AccessToken, type GetAccessTokenOptions } from "./get-access-token";
export {
  ClientSecretSourceMissingError,
  ConnectionNotConsentedError,
  ConsentRequiredError,
  NotATokenDocumentError,
  TenantNotConnectedError,
  TokenDocumentNotFoundError,
  TokenDocumentRetiredError,
  type TokenSetLocation,
} from "./errors";
export type { StateBackendAddress } from "../../contract/state-address";
export type { Clock } from "../clock";
