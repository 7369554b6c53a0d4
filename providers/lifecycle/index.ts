export * from "./app-credentials";
export * from "./context";
export * from "./decisions";
export * from "./errors";
export * from "./inputs";
export * from "./record";
export * from "./result";
export * from "./run-hook";
export { resolveSecret } from "./secrets";
