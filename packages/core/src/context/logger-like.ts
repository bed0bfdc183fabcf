/** What `ctx.log` needs of a logger; `createLogger` from `@lift/core/observability` provides it. */
export interface LoggerLike {
  trace(message: string, ...extra: (Readonly<Record<string, unknown>> | Error)[]): void;
  debug(message: string, ...extra: (Readonly<Record<string, unknown>> | Error)[]): void;
  info(message: string, ...extra: (Readonly<Record<string, unknown>> | Error)[]): void;
  warn(message: string, ...extra: (Readonly<Record<string, unknown>> | Error)[]): void;
  error(message: string, ...extra: (Readonly<Record<string, unknown>> | Error)[]): void;
  critical(message: string, ...extra: (Readonly<Record<string, unknown>> | Error)[]): void;
  child(fields: Readonly<Record<string, unknown>>): LoggerLike;
}
