import { invalid } from '../validate.js';

/** Latest (and, negated, earliest) time a record may carry, ms: what calendar periods accept. */
export const MAX_RECORD_TIME = 8.64e15 - 40 * 86_400_000;

/**
 * Converts an epoch number of unknown unit to ms, by magnitude: below 1e11 it is seconds (1e11
 * ms is March 1973, 1e11 s the year 5138), below 1e14 ms, below 1e17 µs (OpenTelemetry's JS
 * console exporter), else ns (OTLP's `startTimeUnixNano`). Exact for any date after 1973.
 */
export function epochToMs(value: number): number {
  const size = Math.abs(value);
  if (size < 1e11) return value * 1000;
  if (size < 1e14) return value;
  if (size < 1e17) return value / 1000;
  return value / 1e6;
}

/**
 * Reads a record's time as ms since the epoch: a number or digit string in s/ms/µs/ns (see
 * {@link epochToMs}), an ISO 8601 / RFC 2822 date string, or an OpenTelemetry `HrTime` tuple
 * `[seconds, nanoseconds]`.
 * @param name the field, for the error message
 * @throws KernelError `INVALID_ARGUMENT` for anything else or a time outside ±271,821 years
 */
export function parseRecordTime(value: unknown, name: string): number {
  let ms: number;
  if (typeof value === 'number') ms = epochToMs(value);
  else if (typeof value === 'string') {
    ms = /^-?\d+(\.\d+)?$/.test(value) ? epochToMs(Number(value)) : Date.parse(value);
  } else if (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'number'
  ) {
    ms = value[0] * 1000 + value[1] / 1e6;
  } else {
    ms = NaN;
  }
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_RECORD_TIME) {
    invalid(
      name,
      'a time (epoch s/ms/µs/ns, an ISO 8601 string or an HrTime [s, ns]) within the Date range',
      value,
    );
  }
  return ms;
}
