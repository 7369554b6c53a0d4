#!/usr/bin/env node
/**
 * What Terraform's provisioners run: the CLI, started fast from its hook bundle (cli/cli-bundle.ts),
 * or the plain CLI when the bundle is stale, missing, broken or does not serve the command line.
 */
import { launchCli, loadCliBundle, type LoadedCliBundle } from "./cli-bundle";

export type LoadedHookBundle = LoadedCliBundle<typeof import("./hook-bundle-entry")>;

/** The hook bundle in `dir` (see {@link loadCliBundle}). */
export function loadHookBundle(dir: string = __dirname, options: { useCodeCache?: boolean } = {}): LoadedHookBundle | undefined {
  return loadCliBundle<typeof import("./hook-bundle-entry")>("hook", dir, options);
}

if (require.main === module) launchCli(process.argv.slice(2));
