/**
 * The parts of an EMF blob that do not change from one blob of a shape to the next, shared by the
 * general writer and the fast ones (`metrics.ts`): the `CloudWatchMetrics` array, kept JSON of values
 * that repeat, and whether a blob's members can be written one after another.
 */
import { jsonString } from './json.js';

/** The limits CloudWatch puts on one EMF blob, as Powertools enforces them. */
export const EMF_LIMITS = { metrics: 100, dimensions: 29, valuesPerMetric: 100 } as const;

/** @internal A name JSON.stringify would move ahead of the others (an array index). */
export const INDEX_NAME = /^(?:0|[1-9]\d*)$/;
// Route patterns, methods and status classes repeat from blob to blob: their JSON is kept, up to a bound.
const REPEATED_VALUES_KEPT = 500;

/** @internal The `CloudWatchMetrics` array of a blob, as Powertools writes it. */
export function shapeJsonOf(
  namespace: string,
  dimensionNames: readonly string[],
  metricNames: readonly string[],
  metricUnits: readonly string[],
  metricHigh: readonly boolean[],
): string {
  const definitions = metricNames.map((name, i) =>
    metricHigh[i]
      ? { Name: name, Unit: metricUnits[i], StorageResolution: 1 }
      : { Name: name, Unit: metricUnits[i] },
  );
  return JSON.stringify([{ Namespace: namespace, Dimensions: [dimensionNames], Metrics: definitions }]);
}

/** @internal `JSON.stringify(value)` of a string, kept in `kept` (up to a bound) for values that repeat. */
export function keptJson(kept: Map<string, string>, value: string): string {
  let json = kept.get(value);
  if (json === undefined) {
    json = jsonString(value);
    if (kept.size < REPEATED_VALUES_KEPT) kept.set(value, json);
  }
  return json;
}

/**
 * @internal Whether a blob of the defaults, `dimensions` and `metricNames` is written member by member, as the
 * long way writes it: within the dimension limit, no name used twice, and none an array index
 * (JSON.stringify would move those first).
 */
export function writableAsIs(
  defaultNames: readonly string[],
  dimensions: readonly string[],
  metricNames: readonly string[],
): boolean {
  const all = [...defaultNames, ...dimensions, ...metricNames];
  return (
    defaultNames.length + dimensions.length <= EMF_LIMITS.dimensions &&
    new Set(all).size === all.length &&
    !all.some((name) => INDEX_NAME.test(name))
  );
}
