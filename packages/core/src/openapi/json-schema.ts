import type { JsonObject, JsonValue } from '../app/describe.js';
import type { StandardSchemaV1 } from '../schema/validate.js';

/** Which side of a schema a document states: what a client sends (`input`) or receives (`output`). */
export type SchemaSide = 'input' | 'output';

/** The Standard JSON Schema interface (standardschema.dev), read off `schema['~standard']`. */
interface StandardJsonSchema {
  readonly input?: (options: { target: string; libraryOptions?: Record<string, unknown> }) => unknown;
  readonly output?: (options: { target: string; libraryOptions?: Record<string, unknown> }) => unknown;
}

type Warn = (message: string) => void;

// What a Date becomes on the wire: JSON.stringify writes its ISO form.
const DATE_TIME: JsonObject = { type: 'string', format: 'date-time' };

const at = (path: readonly (string | number)[] | undefined): string =>
  path === undefined || path.length === 0 ? '' : ` at ${path.join('.')}`;

/**
 * Each vendor's own way to go on past a part JSON Schema cannot state (a Date, a transform), so only
 * that part becomes permissive and is named in a warning. A Date in a response is no such part: it
 * is sent as its ISO string.
 */
const LENIENT: Readonly<Record<string, (side: SchemaSide, warn: Warn) => Record<string, unknown>>> = {
  zod: (side, warn) => ({
    unrepresentable: (info: {
      zodSchema?: { _zod?: { def?: { type?: string } } };
      path?: [];
      message: string;
    }) => {
      if (side === 'output' && info.zodSchema?._zod?.def?.type === 'date') return DATE_TIME;
      warn(`${info.message}${at(info.path)}`);
      return {};
    },
  }),
  valibot: (side) => ({
    errorMode: 'ignore',
    overrideSchema: (ctx: { valibotSchema: { type?: string } }) =>
      side === 'output' && ctx.valibotSchema.type === 'date' ? DATE_TIME : undefined,
  }),
  arktype: (side, warn) => ({
    fallback: (ctx: { code: string; base?: JsonObject }) => {
      if (side === 'output' && ctx.code === 'date') return DATE_TIME;
      warn(`arktype cannot express "${ctx.code}" in JSON Schema`);
      return ctx.base ?? {};
    },
  }),
};

/** Keys of a JSON Schema that hold one schema, a list of them, or a map of them: where `$ref`s hide. */
function rewriteRefs(value: JsonValue, rename: (ref: string) => string): JsonValue {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, rename));
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value))
    out[key] = key === '$ref' && typeof v === 'string' ? rename(v) : rewriteRefs(v, rename);
  return out;
}

/** Whether a value is a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Converts Standard Schemas to JSON Schema 2020-12 for one document, and collects the definitions
 * they share (`$defs`) as `components/schemas`, since a `#/$defs/...` reference inside an OpenAPI
 * document would resolve against the document, not the schema.
 */
export class SchemaConverter {
  /** Shared definitions, by component name. */
  readonly components = new Map<string, JsonObject>();

  /** `reserved`: component names the document already uses (Lift's error envelope), never reused. */
  constructor(private readonly reserved: ReadonlySet<string> = new Set()) {}

  /**
   * The JSON Schema of one side of `schema`, or a permissive `{}` (with a warning through `warn`)
   * when the schema cannot be converted: no Standard JSON Schema interface, or a part of it JSON
   * Schema cannot state. `name` names a recursive root when it has to become a component.
   */
  convert(schema: StandardSchemaV1, side: SchemaSide, name: string, warn: Warn): JsonObject {
    const standard = schema['~standard'] as StandardSchemaV1['~standard'] & {
      jsonSchema?: StandardJsonSchema;
    };
    const generate = standard.jsonSchema?.[side];
    if (typeof generate !== 'function') {
      warn(
        `a ${standard.vendor} schema without the Standard JSON Schema interface (zod >= 4.2, arktype >= 2.1.28, valibot through toStandardJsonSchema of @valibot/to-json-schema); described as any value`,
      );
      return { description: 'Not described: the schema cannot be converted to JSON Schema' };
    }
    const lenient = LENIENT[standard.vendor];
    const run = (libraryOptions: Record<string, unknown> | undefined): unknown =>
      generate.call(standard.jsonSchema, {
        target: 'draft-2020-12',
        ...(libraryOptions === undefined ? {} : { libraryOptions }),
      });
    let generated: unknown;
    try {
      // zod and arktype name each part they cannot state as they go on; valibot only stops at the
      // first, so it is asked strictly first for the message, then leniently.
      generated = run(standard.vendor === 'valibot' ? undefined : lenient?.(side, warn));
    } catch (error) {
      warn((error as Error).message);
      try {
        generated = lenient === undefined ? undefined : run(lenient(side, () => {}));
      } catch {
        generated = undefined;
      }
    }
    if (!isObject(generated))
      return { description: 'Not described: the schema cannot be converted to JSON Schema' };
    return this.hoist(generated, name);
  }

  private hoist(generated: JsonObject, name: string): JsonObject {
    const { $schema: _schema, $defs, definitions, ...root } = generated;
    const defs = Object.entries({
      ...(isObject(definitions) ? definitions : {}),
      ...(isObject($defs) ? $defs : {}),
    });
    let recursive = false;
    const renamer =
      (names: ReadonlyMap<string, string>) =>
      (ref: string): string => {
        if (ref === '#') {
          recursive = true;
          return `#/components/schemas/${name}`;
        }
        const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
        const target = match === null ? undefined : names.get(decodeURIComponent(match[1] as string));
        return target === undefined ? ref : `#/components/schemas/${target}`;
      };
    const place = (names: ReadonlyMap<string, string>) =>
      defs.map(
        ([key, def]) => [names.get(key) as string, rewriteRefs(def, renamer(names)) as JsonObject] as const,
      );
    // A definition another schema already placed under its name (a shared `.meta({ id })`) is reused;
    // a different one under a taken name gets a free name.
    let placed = place(new Map(defs.map(([key]) => [key, componentName(key)])));
    const clash = placed.some(
      ([n, body]) =>
        this.reserved.has(n) ||
        (this.components.has(n) && JSON.stringify(this.components.get(n)) !== JSON.stringify(body)),
    );
    if (clash) {
      const fresh = new Map<string, string>();
      for (const [key] of defs) {
        const free = this.freeName(componentName(key), fresh);
        fresh.set(key, free);
      }
      placed = place(fresh);
    }
    for (const [n, body] of placed) this.components.set(n, body);
    const body = rewriteRefs(
      root,
      renamer(new Map(placed.map(([n], i) => [defs[i]?.[0] as string, n]))),
    ) as JsonObject;
    if (!recursive) return body;
    this.components.set(name, body);
    return { $ref: `#/components/schemas/${name}` };
  }

  private freeName(base: string, taken: ReadonlyMap<string, string>): string {
    const used = new Set(taken.values());
    let candidate = base;
    for (
      let i = 2;
      this.components.has(candidate) || used.has(candidate) || this.reserved.has(candidate);
      i++
    )
      candidate = `${base}${i}`;
    return candidate;
  }
}

/** A component name OpenAPI accepts (`^[a-zA-Z0-9._-]+$`). */
export function componentName(raw: string): string {
  const cleaned = raw.replace(/[^a-zA-Z0-9._-]/g, '_');
  return cleaned === '' ? 'Schema' : cleaned;
}
