import { ConfigurationError } from '../errors/errors.js';
import { jsonString } from './json.js';

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
  const defaultNames = Object.keys(defaults);
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const disabled = options.disabled ?? disabledByEnvironment();
  // One invocation's metrics and dimensions, in parallel arrays reused from flush to flush: the
  // per-request path allocates nothing but the values and the line. `dimensionValues` holds a value
  // for each default (undefined: the default's own) and then for each added dimension.
  const dimensionNames = [...defaultNames];
  const dimensionValues: (string | undefined)[] = defaultNames.map(() => undefined);
  const metricNames: string[] = [];
  const metricUnits: MetricUnit[] = [];
  const metricHigh: boolean[] = [];
  const metricValues: number[][] = [];
  let metadata: Record<string, unknown> | undefined;
  // Metric and dimension names repeat every invocation; validate each once.
  const validNames = new Set<string>();
  const validName = (name: string): boolean => {
    if (validNames.has(name)) return true;
    if (typeof name !== 'string' || !NAME.test(name)) return false;
    if (validNames.size < 10_000) validNames.add(name);
    return true;
  };

  // Per-request metrics have the same dimensions and definitions on every flush; the blob's `_aws`
  // part and its dimension keys are built once and reused while the shape stays the same.
  let shape: { names: string[]; units: MetricUnit[]; high: boolean[]; dimensions: string[] } | undefined;
  let shapeJson = '';
  let dimensionKeys: string[] = [];
  let metricKeys: string[] = [];
  // Whether the members can be written one after another as they are: no name used twice across
  // dimensions and metrics, and none an array index (JSON.stringify would move those first).
  let plain = false;
  const sameShape = (): boolean => {
    if (shape === undefined || shape.names.length !== metricNames.length) return false;
    if (shape.dimensions.length !== dimensionNames.length) return false;
    for (let i = 0; i < metricNames.length; i++) {
      if (
        shape.names[i] !== metricNames[i] ||
        shape.units[i] !== metricUnits[i] ||
        shape.high[i] !== metricHigh[i]
      )
        return false;
    }
    for (let i = 0; i < dimensionNames.length; i++)
      if (shape.dimensions[i] !== dimensionNames[i]) return false;
    return true;
  };
  const buildShape = (): void => {
    shape = {
      names: [...metricNames],
      units: [...metricUnits],
      high: [...metricHigh],
      dimensions: [...dimensionNames],
    };
    const definitions = metricNames.map((name, i) =>
      metricHigh[i]
        ? { Name: name, Unit: metricUnits[i], StorageResolution: 1 }
        : { Name: name, Unit: metricUnits[i] },
    );
    shapeJson = JSON.stringify([
      { Namespace: options.namespace, Dimensions: [dimensionNames], Metrics: definitions },
    ]);
    dimensionKeys = dimensionNames.map((name) => `,${jsonString(name)}:`);
    metricKeys = metricNames.map((name) => `,${jsonString(name)}:`);
    const all = [...dimensionNames, ...metricNames];
    plain = new Set(all).size === all.length && !all.some((name) => /^(?:0|[1-9]\d*)$/.test(name));
  };
  const blobValue = (values: number[]): number | number[] =>
    values.length === 1 ? (values[0] as number) : values;
  const reset = (): void => {
    metricNames.length = 0;
    metricUnits.length = 0;
    metricHigh.length = 0;
    metricValues.length = 0;
    dimensionNames.length = defaultNames.length;
    dimensionValues.length = defaultNames.length;
    dimensionValues.fill(undefined);
    metadata = undefined;
  };

  const flush = (): void => {
    if (metricNames.length === 0) return;
    if (!sameShape()) buildShape();
    if (!disabled) {
      let line = `{"_aws":{"Timestamp":${now()},"CloudWatchMetrics":${shapeJson}}`;
      if (plain && metadata === undefined) {
        // Written in the order Powertools writes: _aws, dimensions, values.
        for (let i = 0; i < dimensionNames.length; i++)
          line += `${dimensionKeys[i]}${jsonString(dimensionValues[i] ?? (defaults[dimensionNames[i] as string] as string))}`;
        for (let i = 0; i < metricNames.length; i++) {
          const values = metricValues[i] as number[];
          line += `${metricKeys[i]}${values.length === 1 ? String(values[0]) : `[${values.join(',')}]`}`;
        }
        write(`${line}}`);
      } else {
        // Metadata, or names that collide: an object, so JSON.stringify settles the order exactly
        // as Powertools' blob has it (_aws, metadata, dimensions, values).
        const values: Record<string, unknown> = {};
        for (const k in metadata) values[k] = metadata[k];
        for (let i = 0; i < dimensionNames.length; i++)
          values[dimensionNames[i] as string] = dimensionValues[i] ?? defaults[dimensionNames[i] as string];
        for (let i = 0; i < metricNames.length; i++)
          values[metricNames[i] as string] = blobValue(metricValues[i] as number[]);
        const rest = JSON.stringify(values);
        write(`${line}${rest.length > 2 ? `,${rest.slice(1)}` : '}'}`);
      }
    }
    reset();
  };

  return {
    addMetric(name, unit, value, resolution = 'standard') {
      if (!validName(name)) throw new ConfigurationError(`addMetric: invalid metric name "${name}"`);
      if (!UNITS.has(unit)) throw new ConfigurationError(`addMetric: invalid unit "${unit}"`);
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new ConfigurationError(`addMetric: ${name} needs a finite number`);
      let index = metricNames.indexOf(name);
      if (index !== -1 && metricUnits[index] !== unit)
        throw new ConfigurationError(`addMetric: ${name} was added with unit ${metricUnits[index]}`);
      if (index === -1) {
        if (metricNames.length >= EMF_LIMITS.metrics) flush();
        index = metricNames.length;
        metricNames.push(name);
        metricUnits.push(unit);
        metricHigh.push(resolution === 'high');
        metricValues.push([]);
      }
      const values = metricValues[index] as number[];
      values.push(value);
      if (values.length >= EMF_LIMITS.valuesPerMetric) flush();
    },
    addDimension(name, value) {
      if (!validName(name) || typeof value !== 'string' || value === '')
        throw new ConfigurationError(`addDimension: invalid dimension ${name}`);
      const index = dimensionNames.indexOf(name);
      if (index !== -1) {
        dimensionValues[index] = value;
        return;
      }
      // Defaults (the service among them) count towards the limit, as Powertools counts them.
      if (dimensionNames.length + 1 > EMF_LIMITS.dimensions)
        throw new ConfigurationError(`addDimension: more than ${EMF_LIMITS.dimensions} dimensions`);
      dimensionNames.push(name);
      dimensionValues.push(value);
    },
    addMetadata(key, value) {
      metadata ??= {};
      metadata[key] = value;
    },
    flush,
  };
}
