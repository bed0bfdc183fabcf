import type { JsonObject, JsonValue } from '../app/describe.js';
import { isObject } from './json-schema.js';

/** How one OpenAPI document differs from another, as a client of the first would see it. */
export interface OpenApiChanges {
  /**
   * What can break a client written against the first document: a route or method removed, a
   * response or response field removed (or no longer always present), a parameter or body field
   * newly required, a type changed, a public route made protected.
   */
  readonly breaking: readonly string[];
  /** Everything else that differs: new routes, new optional fields, descriptions, extensions. */
  readonly additive: readonly string[];
}

type Side = 'request' | 'response';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

class Comparison {
  readonly breaking: string[] = [];
  readonly additive: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly before: JsonObject,
    private readonly after: JsonObject,
  ) {}

  /** Follows `#/components/...` references within the document the schema came from. */
  private resolve(doc: JsonObject, value: JsonValue | undefined): JsonObject | undefined {
    let current = value;
    for (let hops = 0; hops < 32 && isObject(current) && typeof current.$ref === 'string'; hops++) {
      const path = current.$ref.replace(/^#\//, '').split('/');
      let target: JsonValue | undefined = doc;
      for (const key of path)
        target = isObject(target) ? target[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
      current = target;
    }
    return isObject(current) ? current : undefined;
  }

  schema(a: JsonValue | undefined, b: JsonValue | undefined, where: string, side: Side): void {
    // A recursive schema is compared once per pair of references.
    if (isObject(a) && isObject(b) && typeof a.$ref === 'string' && typeof b.$ref === 'string') {
      const pair = `${a.$ref}|${b.$ref}|${side}`;
      if (this.seen.has(pair)) return;
      this.seen.add(pair);
    }
    const x = this.resolve(this.before, a);
    const y = this.resolve(this.after, b);
    if (x === undefined || y === undefined) return;
    const typeOf = (s: JsonObject) =>
      s.type === undefined ? undefined : JSON.stringify([s.type].flat().sort());
    if (typeOf(x) !== undefined && typeOf(y) !== undefined && typeOf(x) !== typeOf(y))
      this.breaking.push(`${where}: type ${typeOf(x)} became ${typeOf(y)}`);
    const px = isObject(x.properties) ? x.properties : {};
    const py = isObject(y.properties) ? y.properties : {};
    const rx = new Set(Array.isArray(x.required) ? x.required : []);
    const ry = new Set(Array.isArray(y.required) ? y.required : []);
    for (const name of Object.keys(px)) {
      const field = `${where}.${name}`;
      if (!(name in py)) this.breaking.push(`${field} removed`);
      else {
        if (side === 'request' && ry.has(name) && !rx.has(name))
          this.breaking.push(`${field} is now required`);
        if (side === 'response' && rx.has(name) && !ry.has(name))
          this.breaking.push(`${field} is no longer always present`);
        this.schema(px[name], py[name], field, side);
      }
    }
    for (const name of Object.keys(py)) {
      if (name in px) continue;
      if (side === 'request' && ry.has(name))
        this.breaking.push(`${where}.${name} added as a required field`);
      else this.additive.push(`${where}.${name} added`);
    }
    if (x.items !== undefined || y.items !== undefined) this.schema(x.items, y.items, `${where}[]`, side);
  }

  private parameters(a: JsonObject, b: JsonObject, where: string): void {
    const list = (doc: JsonObject, op: JsonObject) =>
      new Map(
        (Array.isArray(op.parameters) ? op.parameters : []).flatMap((p) => {
          const r = this.resolve(doc, p);
          return r === undefined ? [] : [[`${r.in} ${r.name}`, r] as const];
        }),
      );
    const x = list(this.before, a);
    const y = list(this.after, b);
    for (const [name, p] of x) {
      const q = y.get(name);
      if (q === undefined) this.breaking.push(`${where}: parameter ${name} removed`);
      else {
        if (q.required === true && p.required !== true)
          this.breaking.push(`${where}: parameter ${name} is now required`);
        this.schema(p.schema, q.schema, `${where}: parameter ${name}`, 'request');
      }
    }
    for (const [name, q] of y) {
      if (x.has(name)) continue;
      if (q.required === true) this.breaking.push(`${where}: required parameter ${name} added`);
      else this.additive.push(`${where}: parameter ${name} added`);
    }
  }

  private content(a: JsonValue | undefined, b: JsonValue | undefined, where: string, side: Side): void {
    const x = this.resolve(this.before, a);
    const y = this.resolve(this.after, b);
    const cx = isObject(x?.content) ? x.content : {};
    const cy = isObject(y?.content) ? y.content : {};
    for (const type of Object.keys(cx)) {
      const mx = cx[type];
      const my = cy[type];
      if (my === undefined) this.breaking.push(`${where}: ${type} no longer accepted or sent`);
      else if (isObject(mx) && isObject(my)) this.schema(mx.schema, my.schema, `${where} body`, side);
    }
  }

  operation(a: JsonObject, b: JsonObject, where: string): void {
    this.parameters(a, b, where);
    if (a.requestBody === undefined && isObject(b.requestBody) && b.requestBody.required === true)
      this.breaking.push(`${where}: a request body is now required`);
    else if (a.requestBody !== undefined)
      this.content(a.requestBody, b.requestBody, `${where} request`, 'request');
    const rx = isObject(a.responses) ? a.responses : {};
    const ry = isObject(b.responses) ? b.responses : {};
    for (const status of Object.keys(rx)) {
      if (ry[status] === undefined) this.breaking.push(`${where}: response ${status} removed`);
      else if (Number(status) < 400) this.content(rx[status], ry[status], `${where} ${status}`, 'response');
    }
    for (const status of Object.keys(ry))
      if (rx[status] === undefined) this.additive.push(`${where}: response ${status} added`);
    if (a.security === undefined && b.security !== undefined)
      this.breaking.push(`${where}: now needs credentials`);
  }
}

/**
 * How `after` differs from `before` for a client written against `before`: the breaking changes
 * and the rest. Two identical documents give two empty lists.
 */
export function openApiChanges(before: object, after: object): OpenApiChanges {
  const x = before as JsonObject;
  const y = after as JsonObject;
  const compare = new Comparison(x, y);
  const px = isObject(x.paths) ? x.paths : {};
  const py = isObject(y.paths) ? y.paths : {};
  for (const [path, item] of Object.entries(px)) {
    for (const method of METHODS) {
      const a = isObject(item) ? item[method] : undefined;
      if (!isObject(a)) continue;
      const b = isObject(py[path]) ? (py[path] as JsonObject)[method] : undefined;
      const where = `${method.toUpperCase()} ${path}`;
      if (!isObject(b)) compare.breaking.push(`${where} removed`);
      else compare.operation(a, b, where);
    }
  }
  for (const [path, item] of Object.entries(py))
    for (const method of METHODS)
      if (
        isObject(item) &&
        isObject(item[method]) &&
        !(isObject(px[path]) && isObject((px[path] as JsonObject)[method]))
      )
        compare.additive.push(`${method.toUpperCase()} ${path} added`);
  const breaking = [...new Set(compare.breaking)];
  const additive = [...new Set(compare.additive)];
  if (breaking.length === 0 && additive.length === 0 && JSON.stringify(x) !== JSON.stringify(y))
    additive.push('descriptions, extensions or components changed');
  return { breaking, additive };
}
