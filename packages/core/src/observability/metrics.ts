import { ConfigurationError } from '../errors/errors.js';
import { writerThatNeverThrows } from '../errors/report.js';
import { writeStdoutLine } from '../stdout/stdout.js';
import { EMF_LIMITS, INDEX_NAME, keptJson, shapeJsonOf, writableAsIs } from './emf-shape.js';
import { epochMillisText, jsonString } from './json.js';

export { EMF_LIMITS } from './emf-shape.js';

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

/**
 * Where metrics from {@link createMetrics} keep their request-blob writer (framework use: see
 * `recordRequestMetrics`). Not part of {@link Metrics}, so any implementation can still stand in.
 */
export const REQUEST_BLOB: unique symbol = Symbol('lift.requestBlob');

/**
 * Writes the blob that adding the `route`, `method` and `status_class` dimensions (and `tenant`,
 * when given), `latency` (Milliseconds) and `requests` (Count, 1), then flushing, would write, byte
 * for byte, when nothing else was collected since the last flush. Returns false, having done
 * nothing, when that is not so or the values would be refused: the caller then takes the long way.
 */
export type RequestBlobWriter = (
  route: string,
  method: string,
  statusClass: string,
  tenant: string | undefined,
  latency: number,
) => boolean;

/**
 * Where metrics from {@link createMetrics} keep their cold-start-blob writer (framework use: see
 * `recordColdStart`), beside the request-blob writer.
 */
export const COLD_START_BLOB: unique symbol = Symbol('lift.coldStartBlob');

/**
 * Writes the blob that adding the `function_name` dimension (when `functionName` is given, as the
 * Lambda context's own), `ColdStart` (Count, 1), then flushing, would write, byte for byte, when
 * nothing else was collected since the last flush; returns false, having done nothing, otherwise.
 * Once per environment, so its point is what it leaves out: the first call of a cold start compiles
 * none of the general `addDimension`/`addMetric`/`flush` machinery, which requests never use.
 */
export type ColdStartBlobWriter = (functionName: string | undefined) => boolean;

/** Metrics from {@link createMetrics}, with their request-blob and cold-start-blob writers. */
export type LiftMetrics = Metrics & {
  readonly [REQUEST_BLOB]: RequestBlobWriter;
  readonly [COLD_START_BLOB]: ColdStartBlobWriter;
};

/** Whether metrics carry the blob writers of {@link createMetrics}. */
export function hasBlobWriters(metrics: Metrics): metrics is LiftMetrics {
  const lift = metrics as Partial<LiftMetrics>;
  return typeof lift[REQUEST_BLOB] === 'function' && typeof lift[COLD_START_BLOB] === 'function';
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
  // The rule addDimension applies: an unset environment variable must not become the text "undefined".
  for (const [name, value] of Object.entries(defaults))
    if (typeof value !== 'string' || value === '')
      throw new ConfigurationError(`createMetrics: default dimension "${name}" must be a non-empty string`);
  const defaultNames = Object.keys(defaults);
  const write = writerThatNeverThrows(options.write ?? writeStdoutLine, 'EMF', service);
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
    shapeJson = shapeJsonOf(options.namespace, dimensionNames, metricNames, metricUnits, metricHigh);
    dimensionKeys = dimensionNames.map((name) => `,${jsonString(name)}:`);
    metricKeys = metricNames.map((name) => `,${jsonString(name)}:`);
    const all = [...dimensionNames, ...metricNames];
    plain = new Set(all).size === all.length && !all.some((name) => INDEX_NAME.test(name));
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
    clean = true;
  };

  const flush = (): void => {
    if (metricNames.length === 0) return;
    if (!sameShape()) buildShape();
    if (!disabled) {
      let line = `{"_aws":{"Timestamp":${epochMillisText(now())},"CloudWatchMetrics":${shapeJson}}`;
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

  // Whether nothing was collected since the last flush (the fast ways need that).
  let clean = true;
  const fast = fastBlobWriters(
    options.namespace,
    defaults,
    () => clean,
    (cloudWatch, members) => {
      if (!disabled)
        write(`{"_aws":{"Timestamp":${epochMillisText(now())},"CloudWatchMetrics":${cloudWatch}}${members}`);
    },
  );

  const metrics: Metrics = {
    addMetric(name, unit, value, resolution = 'standard') {
      clean = false;
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
      clean = false;
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
      clean = false;
      metadata ??= {};
      metadata[key] = value;
    },
    flush,
  };
  // Kept off the Metrics type: the fast way is the framework's, not part of the API.
  // Not enumerable: a wrapper spread from these metrics must not carry the writers past its own methods.
  return Object.defineProperties(metrics, {
    [REQUEST_BLOB]: { value: fast.request },
    [COLD_START_BLOB]: { value: fast.coldStart },
  }) as LiftMetrics;
}

/**
 * The fast ways of the request blob ({@link RequestBlobWriter}) and the cold-start blob
 * ({@link ColdStartBlobWriter}): the blob's `_aws` part and the defaults' members are written once per
 * shape (with or without a tenant), values that repeat are kept as JSON. Each declines, so the long
 * way decides, whenever the long way would write something else or throw: names that collide or are
 * array indices, too many dimensions, an empty dimension, a latency that is not a finite number, or
 * something collected already (`clean` says no).
 */
function fastBlobWriters(
  namespace: string,
  defaults: Readonly<Record<string, string>>,
  clean: () => boolean,
  emit: (cloudWatch: string, members: string) => void,
): { readonly request: RequestBlobWriter; readonly coldStart: ColdStartBlobWriter } {
  const defaultNames = Object.keys(defaults);
  const shape = (dimensions: readonly string[]): string | undefined =>
    writableAsIs(defaultNames, dimensions, ['latency', 'requests'])
      ? shapeJsonOf(
          namespace,
          [...defaultNames, ...dimensions],
          ['latency', 'requests'],
          ['Milliseconds', 'Count'],
          [false, false],
        )
      : undefined;
  let plainShape: string | null | undefined = null;
  let tenantShape: string | null | undefined = null;
  const defaultMembers = defaultNames
    .map((name) => `,${jsonString(name)}:${jsonString(defaults[name] as string)}`)
    .join('');
  const routes = new Map<string, string>();
  const methods = new Map<string, string>();
  const classes = new Map<string, string>();
  const tenants = new Map<string, string>();
  const request: RequestBlobWriter = (route, method, statusClass, tenant, latency) => {
    if (!clean() || typeof latency !== 'number' || !Number.isFinite(latency)) return false;
    if (typeof route !== 'string' || typeof method !== 'string' || typeof statusClass !== 'string')
      return false;
    if (route === '' || method === '' || statusClass === '' || tenant === '') return false;
    if (tenant !== undefined && typeof tenant !== 'string') return false;
    if (tenant === undefined) {
      if (plainShape === null) plainShape = shape(['route', 'method', 'status_class']);
    } else if (tenantShape === null) tenantShape = shape(['route', 'method', 'status_class', 'tenant']);
    const cloudWatch = tenant === undefined ? plainShape : tenantShape;
    if (cloudWatch === undefined || cloudWatch === null) return false;
    const members = `${defaultMembers},"route":${keptJson(routes, route)},"method":${keptJson(methods, method)},"status_class":${keptJson(classes, statusClass)}${tenant === undefined ? '' : `,"tenant":${keptJson(tenants, tenant)}`},"latency":${String(latency)},"requests":1}`;
    emit(cloudWatch, members);
    return true;
  };
  const coldStart: ColdStartBlobWriter = (functionName) => {
    if (!clean() || (functionName !== undefined && (typeof functionName !== 'string' || functionName === '')))
      return false;
    const dimensions = functionName === undefined ? [] : ['function_name'];
    if (!writableAsIs(defaultNames, dimensions, ['ColdStart'])) return false;
    emit(
      shapeJsonOf(namespace, [...defaultNames, ...dimensions], ['ColdStart'], ['Count'], [false]),
      `${defaultMembers}${functionName === undefined ? '' : `,"function_name":${jsonString(functionName)}`},"ColdStart":1}`,
    );
    return true;
  };
  return { request, coldStart };
}
