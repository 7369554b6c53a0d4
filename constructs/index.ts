// The public CDKTF API of cdktf-xero. Only re-exports.
export {
  XeroAppRegistration,
  type XeroAppRegistrationProps,
  type XeroAppRegistrationBaseProps,
  type XeroWebAppProps,
  type XeroPkceAppProps,
  type XeroCustomConnectionAppProps,
  type IXeroAppRegistration,
} from "./app-registration";
export { XeroCustomConnection, type XeroCustomConnectionProps } from "./custom-connection";
export { XeroSecret, type IXeroDocumentOwner } from "./xero-secret";
export { XeroState, type XeroPostgresStateOptions } from "./xero-state";
export { XeroStackDefaults, type XeroStackDefaultsProps } from "./stack-defaults";
export { XeroHookResource, type XeroHookResourceType } from "./hook-resource";
export { XeroAppKind, type XeroAppKindType } from "./app-kind";
export { XeroSecretRotation, XeroOverdueAction, type XeroSecretRotationProps, type XeroOverdueActionType } from "./secret-rotation";
export { Duration } from "./duration";
export { XeroConstructError } from "./errors";
export { HookPartIds } from "./hook-parts";
export { XeroScopes, XeroCustomScope, type XeroScope, type XeroScopeName } from "../contract/scopes";
export {
  XeroOAuthConnection,
  XeroConnectionOnDestroy,
  type XeroOAuthConnectionProps,
  type XeroConnectionOnDestroyType,
} from "./oauth-connection";
