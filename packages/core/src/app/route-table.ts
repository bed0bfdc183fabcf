import { ConfigurationError } from '../errors/errors.js';
import { checkPattern } from '../router/pattern.js';
import type { AccessControl, AccessSteps } from './access.js';
import type { Registry, RouteDefinition } from './group.js';

const VALIDATED_PARTS = ['params', 'query', 'headers', 'body'] as const;

/** @internal What {@link RouteTable.assertMountable} compares. */
export interface MountFeatures {
  readonly rateLimits: object | undefined;
  readonly idempotency: object | undefined;
  readonly registersRecords: () => boolean;
}

/**
 * @internal The app's routes as registered through it and its groups: each checked as it arrives
 * (pattern, duplicate, access declaration), so a mistake fails at module load, not on some later
 * request; frozen once the app compiles.
 */
export class RouteTable implements Registry {
  readonly definitions: RouteDefinition[] = [];
  private readonly shapes = new Set<string>();
  private frozen = false;

  /**
   * The feature values the app was given, and whether it registers records: a mounted app must share
   * them, since its routes are served by the app it is mounted into.
   */
  features: MountFeatures = { rateLimits: undefined, idempotency: undefined, registersRecords: () => false };

  constructor(private readonly accessControl: AccessControl | undefined) {}

  /**
   * Refuses to mount an app whose records would be lost (only the app exporting the handler serves
   * records) or whose routes would be limited or made idempotent by another app's values than its own.
   */
  assertMountable(sub: Registry, where: string): void {
    if (!(sub instanceof RouteTable)) return;
    if (sub.features.registersRecords())
      throw new ConfigurationError(
        `${where}: the mounted app registers records, which only the app exporting the handler serves: register them on that app`,
      );
    for (const name of ['rateLimits', 'idempotency'] as const) {
      const own = sub.features[name];
      if (own !== undefined && own !== this.features[name])
        throw new ConfigurationError(
          `${where}: the mounted app has its own ${name}(), but its routes would be served with ${this.features[name] === undefined ? 'none' : "this app's"}: give both apps the same ${name}() value`,
        );
    }
  }

  /** Whether the table is frozen (the app has compiled). */
  get isFrozen(): boolean {
    return this.frozen;
  }

  /** Freezes the table: no route, group or middleware may be added after. */
  freeze(): void {
    this.frozen = true;
  }

  /** Refuses a change once the app is frozen, naming it. */
  assertOpen(what: string): void {
    if (this.frozen) {
      throw new ConfigurationError(
        `Cannot ${what}: the app is frozen once it has handled a request or been compiled`,
      );
    }
  }

  /** Adds a route after checking its pattern, its uniqueness and its `auth` declaration. */
  add(definition: RouteDefinition): void {
    const key = `${definition.method} ${checkPattern(definition.pattern).shape}`;
    if (this.shapes.has(key)) {
      throw new ConfigurationError(
        `Duplicate route: ${definition.method} ${definition.pattern} is already registered`,
      );
    }
    this.shapes.add(key);
    const { method, pattern } = definition;
    const declared = definition.options.auth;
    let access: AccessSteps = {};
    if (this.accessControl !== undefined) {
      if (declared === undefined) {
        throw new ConfigurationError(
          `${method} ${pattern} declares no "auth": once an app has access control, every route says who may call it (auth: 'public' for anyone)`,
        );
      }
      const validates = VALIDATED_PARTS.filter((part) => definition.options[part] !== undefined);
      access = this.accessControl.prepare({ method, pattern, validates }, declared);
    } else if (declared !== undefined) {
      throw new ConfigurationError(
        `${method} ${pattern} declares "auth" but the app has no access control (createApp({ access }))`,
      );
    }
    const { options, handler, groups } = definition;
    this.definitions.push({ method, pattern, options, handler, groups, access });
  }
}
