import { Testing } from "cdktf";
import {
  XeroAppKind,
  XeroAppRegistration,
  XeroSecret,
  type XeroCustomConnectionAppProps,
  type XeroPkceAppProps,
  type XeroWebAppProps,
} from "../../index";
import { customConnectionProps, errorOf, pkceProps, testStack, webProps } from "./support";

/** The synthesized stack `prod` with one registration `App` made by `declare`. */
function synthesized(declare: (stack: ReturnType<typeof testStack>) => XeroAppRegistration): { json: string; registration: XeroAppRegistration } {
  const stack = testStack();
  const registration = declare(stack);
  return { json: Testing.synth(stack), registration };
}

const { kind: _web, ...web } = webProps({ companyUrl: "https://www.example.com", createdAfterGranularScopes: true });
const { kind: _pkce, ...pkce } = pkceProps();
const { kind: _sync, ...sync } = customConnectionProps();

describe("XeroAppRegistration's kind factories", () => {
  it("web synthesizes exactly what the constructor does for a Web app", () => {
    const byFactory = synthesized((stack) => XeroAppRegistration.web(stack, "App", web as XeroWebAppProps));
    const byConstructor = synthesized((stack) => new XeroAppRegistration(stack, "App", { ...web, kind: XeroAppKind.WEB }));
    expect(byFactory.json).toBe(byConstructor.json);
    expect(byFactory.registration.spec).toEqual(byConstructor.registration.spec);
  });

  it("pkce synthesizes exactly what the constructor does for a PKCE app", () => {
    const byFactory = synthesized((stack) => XeroAppRegistration.pkce(stack, "App", pkce as XeroPkceAppProps));
    const byConstructor = synthesized((stack) => new XeroAppRegistration(stack, "App", { ...pkce, kind: XeroAppKind.PKCE }));
    expect(byFactory.json).toBe(byConstructor.json);
    expect(byFactory.registration.spec).toEqual(byConstructor.registration.spec);
  });

  it("customConnection synthesizes exactly what the constructor does for a Custom Connection", () => {
    const byFactory = synthesized((stack) => XeroAppRegistration.customConnection(stack, "App", sync as XeroCustomConnectionAppProps));
    const byConstructor = synthesized((stack) => new XeroAppRegistration(stack, "App", { ...sync, kind: XeroAppKind.CUSTOM_CONNECTION }));
    expect(byFactory.json).toBe(byConstructor.json);
    expect(byFactory.registration.spec).toEqual(byConstructor.registration.spec);
  });

  it("each returns an XeroAppRegistration of its kind", () => {
    const stack = testStack();
    expect(XeroAppRegistration.web(stack, "Web", web as XeroWebAppProps).appKind).toBe("web");
    expect(XeroAppRegistration.pkce(stack, "Pkce", pkce as XeroPkceAppProps).appKind).toBe("pkce");
    expect(XeroAppRegistration.customConnection(stack, "Sync", sync as XeroCustomConnectionAppProps).appKind).toBe("custom_connection");
  });

  it("pkce still rejects a client secret at synth when the types are bypassed", () => {
    const stack = testStack();
    const withSecret = { ...pkce, clientSecret: XeroSecret.fromEnv("FIELD_SECRET") } as unknown as XeroPkceAppProps;
    expect(errorOf(() => XeroAppRegistration.pkce(stack, "App", withSecret))).toBe(
      "prod/App: clientSecret must not be set for a PKCE app: Xero issues PKCE apps no secret; remove it",
    );
  });

  it("customConnection still rejects redirect URIs at synth when the types are bypassed", () => {
    const stack = testStack();
    const withUris = { ...sync, redirectUris: ["https://example.com/cb"] } as unknown as XeroCustomConnectionAppProps;
    expect(errorOf(() => XeroAppRegistration.customConnection(stack, "App", withUris))).toBe(
      "prod/App: redirectUris must be empty for a Custom Connection: client credentials use no redirect; remove them",
    );
  });

  it("takes its kind from the factory, not from a kind smuggled into the props", () => {
    const stack = testStack();
    const smuggled = { ...pkce, kind: XeroAppKind.WEB } as unknown as XeroPkceAppProps;
    expect(XeroAppRegistration.pkce(stack, "App", smuggled).appKind).toBe("pkce");
  });
});
