import type { TerraformStack } from "cdktf";
import { Duration, XeroAppRegistration, XeroSecretRotation, XeroState, type XeroSecretRotationProps } from "../../index";
import { customConnectionProps, errorOf, pkceProps, testStack } from "./support";

type Props = Partial<Record<keyof XeroSecretRotationProps, unknown>>;

/** A Custom Connection app "prod/Sync" and a rotation "prod/Rotation" of it with `props`. */
const rotation = (props: Props) => (stack: TerraformStack) => {
  const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
  return new XeroSecretRotation(stack, "Rotation", { app: sync, ...props } as XeroSecretRotationProps);
};
const RANGE = "316224000 (3660 days)";

const cases: Array<[string, (stack: TerraformStack) => unknown, string]> = [
  [
    "no app",
    (stack) => new XeroSecretRotation(stack, "Rotation", {} as XeroSecretRotationProps),
    "prod/Rotation: app must be an XeroAppRegistration of kind XeroAppKind.WEB or XeroAppKind.CUSTOM_CONNECTION, got nothing",
  ],
  [
    "an app given by name",
    (stack) => new XeroSecretRotation(stack, "Rotation", { app: "prod/Sync" } as unknown as XeroSecretRotationProps),
    'prod/Rotation: app must be an XeroAppRegistration of kind XeroAppKind.WEB or XeroAppKind.CUSTOM_CONNECTION, got "prod/Sync"',
  ],
  [
    "a PKCE app",
    (stack) => new XeroSecretRotation(stack, "Rotation", { app: new XeroAppRegistration(stack, "Desktop", pkceProps()) }),
    "prod/Rotation: app prod/Desktop is a PKCE app, which has no client secret to rotate (Xero issues PKCE apps none); remove this XeroSecretRotation, or rotate a web app or Custom Connection",
  ],
  [
    "a second rotation of the same app",
    (stack) => {
      const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
      new XeroSecretRotation(stack, "Rotation", { app: sync });
      return new XeroSecretRotation(stack, "Again", { app: sync });
    },
    "prod/Again: app prod/Sync already has a secret rotation, prod/Rotation; declare one XeroSecretRotation per app",
  ],
  ["a maxAge given as a number of days", rotation({ maxAge: 90 }), "prod/Rotation: maxAge must be a Duration such as Duration.days(90), got 90"],
  [
    "a maxAge of zero",
    rotation({ maxAge: Duration.days(0) }),
    `prod/Rotation: maxAge must be a whole number of seconds from 1 to ${RANGE}, got Duration.days(0); e.g. Duration.days(90)`,
  ],
  [
    "a negative maxAge",
    rotation({ maxAge: Duration.hours(-1) }),
    `prod/Rotation: maxAge must be a whole number of seconds from 1 to ${RANGE}, got Duration.hours(-1); e.g. Duration.days(90)`,
  ],
  [
    "a maxAge longer than ten years",
    rotation({ maxAge: Duration.days(3661) }),
    `prod/Rotation: maxAge must be a whole number of seconds from 1 to ${RANGE}, got Duration.days(3661); e.g. Duration.days(90)`,
  ],
  [
    "a maxAge of a fraction of a second",
    rotation({ maxAge: Duration.seconds(1.5) }),
    `prod/Rotation: maxAge must be a whole number of seconds from 1 to ${RANGE}, got Duration.seconds(1.5); e.g. Duration.days(90)`,
  ],
  [
    "a maxAge that is not a number",
    rotation({ maxAge: Duration.days(Number.NaN) }),
    `prod/Rotation: maxAge must be a whole number of seconds from 1 to ${RANGE}, got Duration.days(NaN); e.g. Duration.days(90)`,
  ],
  [
    "a keepPrevious given as a string",
    rotation({ keepPrevious: "7d" }),
    'prod/Rotation: keepPrevious must be a Duration such as Duration.days(7), got "7d"',
  ],
  [
    "a negative keepPrevious",
    rotation({ keepPrevious: Duration.seconds(-1) }),
    `prod/Rotation: keepPrevious must be a whole number of seconds from 0 to ${RANGE}, got Duration.seconds(-1); e.g. Duration.days(7)`,
  ],
  [
    "a keepPrevious longer than ten years",
    rotation({ keepPrevious: Duration.days(4000) }),
    `prod/Rotation: keepPrevious must be a whole number of seconds from 0 to ${RANGE}, got Duration.days(4000); e.g. Duration.days(7)`,
  ],
  [
    "an unknown onOverdue",
    rotation({ onOverdue: "ignore" }),
    'prod/Rotation: onOverdue must be "warn" or "fail" (XeroOverdueAction.WARN or .FAIL), got "ignore"',
  ],
  [
    "an onOverdue in capitals",
    rotation({ onOverdue: "WARN" }),
    'prod/Rotation: onOverdue must be "warn" or "fail" (XeroOverdueAction.WARN or .FAIL), got "WARN"',
  ],
  [
    "an unknown hookResource",
    rotation({ hookResource: "local_exec" }),
    'prod/Rotation: hookResource must be "terraform_data" or "null_resource" (XeroHookResource.TERRAFORM_DATA or .NULL_RESOURCE), got "local_exec"',
  ],
  [
    "a state backend other than the app's",
    rotation({ state: XeroState.postgres({ schema: "rotations" }) }),
    "prod/Rotation: state must be the app's backend (local:../../../.cdktf-xero/state), got pg:rotations: the rotation's document prod/Sync/rotation lives next to the app's; remove state",
  ],
  [
    "a local state directory other than the app's",
    rotation({ state: XeroState.local("elsewhere") }),
    "prod/Rotation: state must be the app's backend (local:../../../.cdktf-xero/state), got local:../../../elsewhere: the rotation's document prod/Sync/rotation lives next to the app's; remove state",
  ],
  [
    "a state that is not a XeroState",
    rotation({ state: "pg:cdktf_xero" }),
    'prod/Rotation: state must be XeroState.local(dir) or XeroState.postgres({ schema }), got "pg:cdktf_xero"',
  ],
  [
    "a state XeroState cannot bind",
    rotation({ state: XeroState.postgres({ schema: "Bad-Schema" }) }),
    'prod/Rotation: state XeroState.postgres({ schema: "Bad-Schema" }) needs a schema name of lower-case letters, digits and "_" (at most 63, not starting with a digit), e.g. "cdktf_xero"',
  ],
];

describe("XeroSecretRotation rejects bad input at synth", () => {
  it.each(cases)("rejects %s", (_name, build, message) => {
    expect(errorOf(() => build(testStack()))).toBe(message);
  });

  it("reports every problem at once, one line each", () => {
    const message = errorOf(() => rotation({ maxAge: Duration.days(0), keepPrevious: Duration.seconds(-1), onOverdue: "never" })(testStack()));
    expect(message.split("\n")).toEqual([
      `prod/Rotation: maxAge must be a whole number of seconds from 1 to ${RANGE}, got Duration.days(0); e.g. Duration.days(90)`,
      `prod/Rotation: keepPrevious must be a whole number of seconds from 0 to ${RANGE}, got Duration.seconds(-1); e.g. Duration.days(7)`,
      'prod/Rotation: onOverdue must be "warn" or "fail" (XeroOverdueAction.WARN or .FAIL), got "never"',
    ]);
  });

  it("lets a rejected rotation's app be rotated by a corrected one", () => {
    const stack = testStack();
    const sync = new XeroAppRegistration(stack, "Sync", customConnectionProps());
    errorOf(() => new XeroSecretRotation(stack, "Broken", { app: sync, onOverdue: "never" } as unknown as XeroSecretRotationProps));
    expect(new XeroSecretRotation(stack, "Rotation", { app: sync }).documentName).toBe("prod/Sync/rotation");
  });
});
