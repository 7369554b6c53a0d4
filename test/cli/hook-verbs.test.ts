/**
 * The hook verbs are listed once (HOOK_VERBS in contract/hook-spec.ts); the CLI's commands, its fast
 * path and the constructs' provisioners all follow that list.
 */
import type { Command } from "commander";
import { Construct } from "constructs";
import { buildProgram, isHookCommandLine } from "../../cli/main";
import { renderHookParts } from "../../constructs/hook-parts";
import { HOOK_VERBS } from "../../contract/hook-spec";
import { RegistrationOutputs, type AppRegistrationSpec } from "../../contract/registration";
import { synthObject, testStack } from "../constructs/support";

const spec: AppRegistrationSpec = {
  version: 1,
  kind: "app_registration",
  document: "prod/Sync",
  backend: { type: "local", dir: "state" },
  appKind: "custom_connection",
  appName: "Sync",
  clientId: "6E4D953BAAE949D1A1B399307AD58B94",
  clientSecret: { source: "env", name: "X" },
  redirectUris: [],
  scopes: ["files"],
  createdAfterGranularScopes: false,
};

describe("the hook verbs", () => {
  it("are init, apply and destroy", () => {
    expect(HOOK_VERBS).toEqual(["init", "apply", "destroy"]);
  });

  it("are the subcommands of `cdktf-xero hook`, in their order", () => {
    const hook = buildProgram().commands.find((command: Command) => command.name() === "hook");
    expect(hook?.commands.map((command: Command) => command.name())).toEqual([...HOOK_VERBS]);
  });

  it("are what the CLI's fast path takes after `hook`, and nothing else", () => {
    expect(HOOK_VERBS.map((verb) => isHookCommandLine(["hook", verb]))).toEqual(HOOK_VERBS.map(() => true));
    expect(isHookCommandLine(["hook", "plan"])).toBe(false);
  });

  it("are the verbs the synthesized provisioners run, each once", () => {
    const stack = testStack();
    renderHookParts(new Construct(stack, "Sync"), { spec, hookResource: "terraform_data", scheduled: false, statusDefaults: RegistrationOutputs.statusDefaults });
    const resources = synthObject(stack).resource?.["terraform_data"] ?? {};
    const verbs = Object.values(resources)
      .flatMap((body) => (body["provisioner"] as { "local-exec": { command: string } }[] | undefined) ?? [])
      .map((provisioner) => /hook (\S+)$/.exec(provisioner["local-exec"].command)?.[1]);
    expect([...verbs].sort()).toEqual([...HOOK_VERBS].sort());
  });
});
