import { invalid } from '../validate.js';

/** Why a request/response pair is not cached by default. */
export type NotCacheableReason = 'temperature' | 'n' | 'length' | 'content-filter' | 'error';

/** The verdict of {@link cacheability}. */
export interface Cacheability {
  readonly cacheable: boolean;
  /** Set when `cacheable` is false. */
  readonly reason?: NotCacheableReason;
}

/** What {@link cacheability} reads from a response. */
export interface CacheabilityResponse {
  /** Provider or SDK finish/stop reason, in any of their spellings. */
  readonly finishReason?: string | null;
  /** Any value other than `undefined`/`null` marks the call as failed. */
  readonly error?: unknown;
}

/** Options of {@link cacheability}. */
export interface CacheabilityOptions {
  /**
   * Opt this call in: cache despite temperature, `n`, a length cut-off or a content filter
   * (an error is never cached). @default false
   */
  readonly force?: boolean;
}

/** Finish reasons meaning the output was cut short (OpenAI, Anthropic, Gemini, AI SDK). */
const CUT_OFF = new Set(['length', 'max_tokens', 'model_context_window_exceeded', 'pause_turn']);
/** Finish reasons meaning the output was filtered or refused. */
const FILTERED = new Set([
  'content_filter',
  'refusal',
  'safety',
  'recitation',
  'blocklist',
  'prohibited_content',
  'spii',
  'image_safety',
]);

/**
 * Whether a response may be served from the cache for later identical requests. Not cacheable by
 * default: `temperature` absent (providers default to sampling, e.g. OpenAI's 1) or above 0
 * (`temperature`); `n` above 1 (`n`); a response cut off by a token limit — finish reason
 * `length`, `max_tokens`, `model_context_window_exceeded` or `pause_turn` (`length`); a filtered
 * or refused one — `content_filter`/`content-filter`, `refusal`, Gemini's `SAFETY`,
 * `RECITATION`, … (`content-filter`); a call that errored or finished with `error` (`error`).
 * Finish reasons are matched case-insensitively with `-` and `_` alike. `force` opts a call in
 * for every reason but `error`. Call it without `response` before the call to know whether a
 * lookup makes sense.
 * @example
 * if (cacheability(request, { finishReason: result.finishReason }).cacheable) cache.set(key, result, info);
 * @throws KernelError `INVALID_ARGUMENT` when `request`/`response`/`options` is not an object,
 *   `temperature` is not a non-negative finite number, `n` is not a positive safe integer,
 *   `finishReason` is not a string, or `force` is not a boolean.
 */
export function cacheability(
  request: Record<string, unknown>,
  response?: CacheabilityResponse,
  options?: CacheabilityOptions,
): Cacheability {
  const r = expectRecord('request', request);
  const res = response === undefined ? undefined : expectRecord('response', response);
  const force = readForce(options);
  const temperature = r['temperature'] ?? undefined;
  if (
    temperature !== undefined &&
    (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0)
  ) {
    invalid('request.temperature', 'a non-negative finite number or undefined', temperature);
  }
  const n = r['n'] ?? undefined;
  if (n !== undefined && (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1)) {
    invalid('request.n', 'a positive safe integer or undefined', n);
  }
  const finishReason = res?.['finishReason'] ?? undefined;
  if (finishReason !== undefined && typeof finishReason !== 'string') {
    invalid('response.finishReason', 'a string or undefined', finishReason);
  }
  const finish = finishReason?.toLowerCase().replaceAll('-', '_');

  if ((res?.['error'] ?? undefined) !== undefined || finish === 'error') return no('error');
  if (force) return { cacheable: true };
  if (finish !== undefined && FILTERED.has(finish)) return no('content-filter');
  if (finish !== undefined && CUT_OFF.has(finish)) return no('length');
  if (n !== undefined && n > 1) return no('n');
  if (temperature === undefined || temperature > 0) return no('temperature');
  return { cacheable: true };
}

function no(reason: NotCacheableReason): Cacheability {
  return { cacheable: false, reason };
}

function expectRecord(name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    invalid(name, 'an object', value);
  return value as Record<string, unknown>;
}

function readForce(options: unknown): boolean {
  if (options === undefined) return false;
  const force = expectRecord('options', options)['force'] ?? false;
  if (typeof force !== 'boolean') invalid('options.force', 'a boolean', force);
  return force;
}
