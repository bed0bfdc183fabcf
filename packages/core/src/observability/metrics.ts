import { ConfigurationError } from '../errors/errors.js';

/** CloudWatch metric units. */
export const METRIC_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

/** A CloudWatch metric unit. */
export type MetricUnit = (typeof METRIC_UNITS)[number];

/** The limits CloudWatch puts on one EMF blob, as Powertools enforces them. */
export const EMF_LIMITS = { metrics: 100, dimensions: 29, valuesPerMetric: 100 } as const;

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  readonly namespace: string;
  /** Added as the `service` dimension (default `POWERTOOLS_SERVICE_NAME` or `service_undefined`). */
  readonly service?: string;
  /** Dimensions every blob carries. */
  readonly defaultDimensions?: Readonly<Record<string, string>>;
  /** Where EMF lines go (default stdout, where CloudWatch picks them up). */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
  /**
   * Collect and check, but write nothing. Default as Powertools decides it: `POWERTOOLS_METRICS_DISABLED`
   * when set to true or false, else disabled when `POWERTOOLS_DEV` is true (local runs and tests).
   */
  readonly disabled?: boolean;
}

const TRUE = new Set(['1', 'true', 'on', 'yes', 'y']);
const FALSE = new Set(['0', 'false', 'off', 'no', 'n']);

function disabledByEnvironment(): boolean {
  const flag = process.env.POWERTOOLS_METRICS_DISABLED?.trim().toLowerCase() ?? '';
  if (TRUE.has(flag)) return true;
  if (FALSE.has(flag)) return false;
  return TRUE.has(process.env.POWERTOOLS_DEV?.trim().toLowerCase() ?? '');
}

interface StoredMetric {
  unit: MetricUnit;
  values: number[];
  highResolution: boolean;
}

/** Collects metrics for one invocation and writes them as CloudWatch Embedded Metric Format. */
export interface Metrics {
  addMetric(name: string, unit: MetricUnit, value: number, resolution?: 'standard' | 'high'): void;
  addDimension(name: string, value: string): void;
  addMetadata(key: string, value: unknown): void;
  /** Writes what was collected (if anything) and starts afresh; default dimensions stay. */
  flush(): void;
}

const NAME = /^[A-Za-z0-9_./#:@-]{1,255}$/;
const UNITS: ReadonlySet<string> = new Set(METRIC_UNITS);

/**
 * EMF metrics in the shape Powertools Metrics writes: `_aws` (Timestamp, CloudWatchMetrics with
 * Namespace, Dimensions and Metrics), then metadata, dimension values and metric values at the top
 * level (arrays for repeated values). Limits are enforced: 100 metrics or 100 values of one metric
 * flush automatically; a 30th dimension, a bad unit or a bad name is an error.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  if (typeof options?.namespace !== 'string' || !NAME.test(options.namespace)) {
    throw new ConfigurationError('createMetrics: a valid namespace is required');
  }
  const service = options.service ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'service_undefined';
  const defaults: Record<string, string> = { service, ...options.defaultDimensions };
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const disabled = options.disabled ?? disabledByEnvironment();
  let dimensions: Record<string, string> = {};
  let metadata: Record<string, unknown> = {};
  let stored = new Map<string, StoredMetric>();
  // Metric and dimension names repeat every invocation; validate each once.
  const validNames = new Set<string>();
  const validName = (name: string): boolean => {
    if (validNames.has(name)) return true;
    if (typeof name !== 'string' || !NAME.test(name)) return false;
    if (validNames.size < 10_000) validNames.add(name);
    return true;
  };

  // Per-request metrics have the same dimensions and definitions on every flush; their JSON is
  // built once and reused while the shape stays the same.
  let shapeKey = '';
  let shapeJson = '';
  const flush = (): void => {
    if (stored.size === 0) return;
    const dimensionNames: string[] = [];
    for (const name in defaults) dimensionNames.push(name);
    for (const name in dimensions) if (!Object.hasOwn(defaults, name)) dimensionNames.push(name);
    let key = dimensionNames.join('\u0000');
    for (const [name, m] of stored) key += `\u0001${name}\u0000${m.unit}\u0000${m.highResolution}`;
    if (key !== shapeKey) {
      const definitions: { Name: string; Unit: string; StorageResolution?: number }[] = [];
      for (const [name, m] of stored) {
        definitions.push(
          m.highResolution
            ? { Name: name, Unit: m.unit, StorageResolution: 1 }
            : { Name: name, Unit: m.unit },
        );
      }
      shapeKey = key;
      shapeJson = JSON.stringify([
        { Namespace: options.namespace, Dimensions: [dimensionNames], Metrics: definitions },
      ]);
    }
    // Written in the order Powertools writes: _aws, metadata, dimensions, values.
    const values: Record<string, unknown> = {};
    for (const k in metadata) values[k] = metadata[k];
    for (const name of dimensionNames) values[name] = dimensions[name] ?? defaults[name];
    for (const [name, m] of stored) values[name] = m.values.length === 1 ? m.values[0] : m.values;
    const rest = JSON.stringify(values);
    if (!disabled)
      write(
        `{"_aws":{"Timestamp":${now()},"CloudWatchMetrics":${shapeJson}}${rest.length > 2 ? `,${rest.slice(1)}` : '}'}`,
      );
    stored = new Map();
    dimensions = {};
    metadata = {};
  };

  return {
    addMetric(name, unit, value, resolution = 'standard') {
      if (!validName(name)) throw new ConfigurationError(`addMetric: invalid metric name "${name}"`);
      if (!UNITS.has(unit)) throw new ConfigurationError(`addMetric: invalid unit "${unit}"`);
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new ConfigurationError(`addMetric: ${name} needs a finite number`);
      let metric = stored.get(name);
      if (metric !== undefined && metric.unit !== unit)
        throw new ConfigurationError(`addMetric: ${name} was added with unit ${metric.unit}`);
      if (metric === undefined) {
        if (stored.size >= EMF_LIMITS.metrics) flush();
        metric = { unit, values: [], highResolution: resolution === 'high' };
        stored.set(name, metric);
      }
      metric.values.push(value);
      if (metric.values.length >= EMF_LIMITS.valuesPerMetric) flush();
    },
    addDimension(name, value) {
      if (!validName(name) || typeof value !== 'string' || value === '')
        throw new ConfigurationError(`addDimension: invalid dimension ${name}`);
      if (!Object.hasOwn(dimensions, name) && !Object.hasOwn(defaults, name)) {
        let count = 1 + Object.keys(defaults).length;
        for (const key in dimensions) if (!Object.hasOwn(defaults, key)) count++;
        if (count > EMF_LIMITS.dimensions)
          throw new ConfigurationError(`addDimension: more than ${EMF_LIMITS.dimensions} dimensions`);
      }
      dimensions[name] = value;
    },
    addMetadata(key, value) {
      metadata[key] = value;
    },
    flush,
  };
}
