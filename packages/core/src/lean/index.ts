/**
 * `@lift/core/lean`: `createApp` without observability, for functions that log and measure nothing
 * of their own; its bundle leaves out the logger, metrics and tracing code that `@lift/core`'s
 * `createApp` carries even with them switched off. Every other export is `@lift/core`'s.
 */
export { createApp, type LeanAppOptions } from './lean.js';
