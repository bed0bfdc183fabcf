/** The pinned Node.js runtimes of Lambda (see node-runtimes.mjs). */
export declare const RUNTIMES: Readonly<
  Record<string, { readonly version: string; readonly integrity: Readonly<Record<string, string>> }>
>;
/** `node --version` of a binary, or undefined when it does not run. */
export declare function versionOf(bin: string): string | undefined;
/** The path of a runtime's bin/node when the cache already holds it, else undefined. */
export declare function cachedRuntime(major: string): string | undefined;
/** The directory of a runtime, from the cache or fetched from the registry; throws saying why not. */
export declare function ensureRuntime(major: string, log?: (message: string) => void): string;
