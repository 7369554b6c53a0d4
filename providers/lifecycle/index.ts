// The hook runtime (runtime/), then each kind's hooks (app/, link/, rotation/): README.md.
export * from "./runtime/context";
export * from "./runtime/errors";
export * from "./runtime/inputs";
export * from "./runtime/kind-hooks";
export * from "./runtime/record";
export * from "./runtime/result";
export * from "./runtime/run-hook";
export { resolveSecret } from "./runtime/secret-reference";
export * from "./app/credentials";
export * from "./app/errors";
export * from "./app/scopes";
export * from "./link/decisions";
export * from "./link/errors";
