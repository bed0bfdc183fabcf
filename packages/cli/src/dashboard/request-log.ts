/** One line a request's code wrote, parsed when it is a JSON log line. */
export interface LogLine {
  readonly at: number;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  /** The `level` of a JSON log line (`INFO`, `ERROR`...). */
  readonly level?: string;
}

/** What fired a schedule: its timer, `POST /_lift/schedules/NAME` (curl, a script) or the dashboard. */
export type FiringTrigger = 'timer' | 'http' | 'dashboard';

/** What the log keeps of one request or schedule firing. */
export interface RequestSummary {
  /** In arrival order, from 1. */
  readonly id: number;
  readonly kind: 'http' | 'schedule';
  readonly method: string;
  /** The path asked for, or the schedule's name. */
  readonly path: string;
  /** What fired a schedule; undefined for HTTP requests. */
  readonly trigger: FiringTrigger | undefined;
  /** The route pattern that answered, from the app's access-log line. */
  readonly route: string | undefined;
  /** Undefined while running; 0 when the client went away first. */
  readonly status: number | undefined;
  readonly durationMs: number | undefined;
  readonly userId: string | undefined;
  readonly tenantId: string | undefined;
  readonly startedAt: number;
  /** The failure of a 5xx: the handler's stack, or the error the app logged. */
  readonly error: string | undefined;
}

/** A summary with the lines the request wrote. */
export interface RequestDetail extends RequestSummary {
  readonly lines: readonly LogLine[];
}

/** A request being recorded. */
export interface RequestTrace {
  /** Records a line the request wrote. */
  write(text: string, stream: 'stdout' | 'stderr'): void;
  /** The handler threw: the (source-mapped) stack. */
  fail(stack: string): void;
  /** The answer went out (0: the client went away). */
  finish(status: number): void;
}

/** Options of {@link RequestLog}. */
export interface RequestLogOptions {
  /** HTTP requests kept (default 200); the oldest go first. */
  readonly limit?: number;
  /**
   * Schedule firings kept (default 50), apart from the requests: a timer firing every minute would
   * otherwise push every request out.
   */
  readonly firingLimit?: number;
  /** Lines kept per request (default 200). */
  readonly linesPerRequest?: number;
  readonly now?: () => number;
  /** Rewrites a failure's stack (the bundle's frames to the TypeScript sources) when it is kept. */
  readonly mapStack?: (stack: string) => string;
}

/** Longest line kept; a handler that logs a megabyte gets it cut. */
const MAX_LINE = 8_192;

interface Entry {
  summary: RequestSummary;
  lines: LogLine[];
  partial: string;
  logged: string | undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The error a JSON line carries (`"error": { name, message, stack }`), as one readable string. */
function errorOf(json: Record<string, unknown>): string | undefined {
  const error = json.error;
  if (typeof error === 'object' && error !== null) {
    const e = error as Record<string, unknown>;
    return text(e.stack) ?? (`${text(e.name) ?? 'Error'}: ${text(e.message) ?? ''}` as string);
  }
  return text(error);
}

/**
 * The dev server's recent requests and schedule firings, each with the lines its code wrote: the app's
 * JSON log lines (its access line gives the route, user and tenant) and anything else on stdout or
 * stderr. Listeners hear of every change, for the dashboard's live view.
 */
export class RequestLog {
  readonly #entries: Entry[] = [];
  readonly #firings: Entry[] = [];
  readonly #last = new Map<string, RequestSummary>();
  readonly #firingLimit: number;
  readonly #listeners = new Set<(summary: RequestSummary) => void>();
  readonly #limit: number;
  readonly #perRequest: number;
  readonly #now: () => number;
  readonly #mapStack: (stack: string) => string;
  #next = 1;

  constructor(options: RequestLogOptions = {}) {
    this.#limit = options.limit ?? 200;
    this.#firingLimit = options.firingLimit ?? 50;
    this.#perRequest = options.linesPerRequest ?? 200;
    this.#now = options.now ?? Date.now;
    this.#mapStack = options.mapStack ?? ((stack) => stack);
  }

  /**
   * Starts recording a request (`kind: 'schedule'`: a schedule firing, `path` its name, `trigger`
   * what fired it).
   */
  start(
    method: string,
    path: string,
    kind: RequestSummary['kind'] = 'http',
    trigger?: FiringTrigger,
  ): RequestTrace {
    const startedAt = this.#now();
    const entry: Entry = {
      summary: {
        id: this.#next++,
        kind,
        method,
        path,
        trigger: kind === 'schedule' ? (trigger ?? 'timer') : undefined,
        route: undefined,
        status: undefined,
        durationMs: undefined,
        userId: undefined,
        tenantId: undefined,
        startedAt,
        error: undefined,
      },
      lines: [],
      partial: '',
      logged: undefined,
    };
    const [kept, limit] =
      kind === 'schedule' ? [this.#firings, this.#firingLimit] : [this.#entries, this.#limit];
    kept.push(entry);
    if (kept.length > limit) kept.shift();
    this.#tell(entry);
    let thrown: string | undefined;
    return {
      write: (chunk, stream) => {
        // Chunks are not lines: a line may come in pieces, or several in one chunk.
        const parts = (entry.partial + chunk).split('\n');
        entry.partial = parts.pop() ?? '';
        for (const part of parts) if (part.trim() !== '') this.#line(entry, part, stream);
      },
      fail: (stack) => {
        thrown = stack;
      },
      finish: (status) => {
        if (entry.summary.status !== undefined) return;
        if (entry.partial.trim() !== '') this.#line(entry, entry.partial, 'stdout');
        entry.partial = '';
        entry.summary = {
          ...entry.summary,
          status,
          durationMs: Math.max(0, this.#now() - startedAt),
          error: status >= 500 ? this.#mapped(thrown ?? entry.logged) : undefined,
        };
        this.#tell(entry);
      },
    };
  }

  #line(entry: Entry, raw: string, stream: 'stdout' | 'stderr'): void {
    const line = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw;
    let level: string | undefined;
    if (line.startsWith('{')) {
      try {
        const json = JSON.parse(line) as Record<string, unknown>;
        level = text(json.level);
        this.#read(entry, json);
      } catch {
        // Not JSON after all: kept as written.
      }
    }
    if (entry.lines.length < this.#perRequest)
      entry.lines.push({ at: this.#now(), stream, text: line, ...(level === undefined ? {} : { level }) });
  }

  /** What the app's own lines say: the access line's route and principal, a logged error. */
  #read(entry: Entry, json: Record<string, unknown>): void {
    if (json.message === 'request' && text(json.route) !== undefined) {
      entry.summary = {
        ...entry.summary,
        route: text(json.route),
        userId: text(json.user_id),
        tenantId: text(json.tenant_id),
      };
    }
    const level = text(json.level);
    if (entry.logged === undefined && (level === 'ERROR' || level === 'CRITICAL'))
      entry.logged = errorOf(json);
  }

  #mapped(stack: string | undefined): string | undefined {
    if (stack === undefined) return undefined;
    try {
      return this.#mapStack(stack);
    } catch {
      return stack;
    }
  }

  #tell(entry: Entry): void {
    if (entry.summary.kind === 'schedule') this.#last.set(entry.summary.path, entry.summary);
    for (const listener of [...this.#listeners]) listener(entry.summary);
  }

  /** The kept requests and firings, oldest first. */
  list(): RequestSummary[] {
    return [...this.#entries, ...this.#firings].map((e) => e.summary).sort((a, b) => a.id - b.id);
  }

  /** The latest firing of the schedule `name`, whatever fired it, even when the log dropped it. */
  lastFiring(name: string): RequestSummary | undefined {
    return this.#last.get(name);
  }

  /** One kept request with its lines, or undefined when it is unknown or was dropped. */
  get(id: number): RequestDetail | undefined {
    const entry =
      this.#entries.find((e) => e.summary.id === id) ?? this.#firings.find((e) => e.summary.id === id);
    return entry === undefined ? undefined : { ...entry.summary, lines: [...entry.lines] };
  }

  /** Calls `listener` with a request's summary when it starts and when it ends; returns the stop function. */
  subscribe(listener: (summary: RequestSummary) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
