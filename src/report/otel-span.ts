import { validateUsage } from '../usage.js';
import { expectId, invalid, isTokenCount } from '../validate.js';
import { isFields, optionalId, type Fields, type NormalizedRecord } from './record-fields.js';
import { parseRecordTime } from './record-time.js';

/**
 * Operations whose spans aggregate the calls beneath them: counting their usage too would count
 * every token twice.
 */
const AGGREGATE_OPERATIONS = new Set(['invoke_agent', 'create_agent', 'execute_tool']);

/** Attributes read from a span besides `gen_ai.*`. */
const OTHER_ATTRIBUTES = new Set(['user.id', 'enduser.id', 'session.id']);

/** Where a span's start time may be, by exporter. */
const TIME_FIELDS = ['startTimeUnixNano', 'startTime', 'start_time', 'timestamp'];

/** What {@link readSpans} found in one JSON value. */
export interface SpanBatch {
  readonly records: NormalizedRecord[];
  /** Spans without `gen_ai.usage.*`, or of aggregating operations (`invoke_agent`, …). */
  readonly ignored: number;
}

/**
 * True when `value` looks like OpenTelemetry trace data: an OTLP/JSON export request (the
 * collector's file exporter writes one per line) or one span with an `attributes` object or
 * OTLP attribute list.
 */
export function isSpanData(value: Fields): boolean {
  if (Array.isArray(value['resourceSpans'])) return true;
  const attributes = value['attributes'];
  return Array.isArray(attributes) || isFields(attributes);
}

/** The value of an OTLP `AnyValue` (`{ stringValue }`, `{ intValue }`, …). */
function anyValue(value: unknown): unknown {
  if (!isFields(value)) return value;
  if (value['stringValue'] !== undefined) return value['stringValue'];
  if (value['intValue'] !== undefined) return value['intValue'];
  if (value['doubleValue'] !== undefined) return value['doubleValue'];
  if (value['boolValue'] !== undefined) return value['boolValue'];
  return undefined;
}

/** The span's attributes that matter here, as a plain object, from either representation. */
function attributesOf(span: Fields): Fields {
  const raw = span['attributes'];
  if (!Array.isArray(raw)) return isFields(raw) ? raw : {};
  const out: Record<string, unknown> = {};
  for (const entry of raw) {
    if (!isFields(entry) || typeof entry['key'] !== 'string') continue;
    const key = entry['key'];
    if (key.startsWith('gen_ai.') || key.startsWith('token_kernel.') || OTHER_ATTRIBUTES.has(key))
      out[key] = anyValue(entry['value']);
  }
  return out;
}

/** A token attribute: a count or the decimal string OTLP encodes 64-bit integers as. */
function tokens(attributes: Fields, ...names: string[]): number | undefined {
  for (const name of names) {
    const raw = attributes[name];
    if (raw === undefined || raw === null) continue;
    const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (!isTokenCount(value)) invalid(name, 'a non-negative safe integer', raw);
    return value;
  }
  return undefined;
}

function spanTime(span: Fields): number | undefined {
  for (const field of TIME_FIELDS) {
    const value = span[field];
    if (value !== undefined && value !== null) return parseRecordTime(value, field);
  }
  return undefined;
}

/**
 * The record of one span, or undefined for a span that is not a model call with usage. Usage
 * follows the GenAI semantic conventions (`gen_ai.usage.input_tokens` includes cache reads and
 * writes), with the older `prompt_tokens`/`completion_tokens` and OpenLLMetry's
 * `cache_read_input_tokens` names as fallbacks; a cache count above the input can only mean the
 * instrumentation left the cache out of the input, so it is added back (likewise reasoning).
 */
function spanRecord(span: Fields): NormalizedRecord | undefined {
  const a = attributesOf(span);
  const operation = a['gen_ai.operation.name'];
  if (typeof operation === 'string' && AGGREGATE_OPERATIONS.has(operation)) return undefined;
  let input = tokens(a, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens');
  let output = tokens(a, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens');
  if (input === undefined && output === undefined) return undefined;
  const read = tokens(
    a,
    'gen_ai.usage.cache_read.input_tokens',
    'gen_ai.usage.cache_read_input_tokens',
  );
  const write = tokens(
    a,
    'gen_ai.usage.cache_creation.input_tokens',
    'gen_ai.usage.cache_creation_input_tokens',
  );
  const reasoning = tokens(
    a,
    'gen_ai.usage.reasoning.output_tokens',
    'gen_ai.usage.reasoning_tokens',
  );
  input ??= 0;
  output ??= 0;
  if ((read ?? 0) + (write ?? 0) > input) input += (read ?? 0) + (write ?? 0);
  if ((reasoning ?? 0) > output) output += reasoning ?? 0;
  const model = a['gen_ai.response.model'] ?? a['gen_ai.request.model'];
  const costNano = tokens(a, 'token_kernel.cost.nano_usd');
  const cached = a['token_kernel.cache.hit'] === true || a['token_kernel.cache.hit'] === 'true';
  return {
    time: spanTime(span),
    agentId: optionalId(a['gen_ai.agent.id'] ?? a['gen_ai.agent.name'], 'gen_ai.agent.id'),
    taskId: undefined,
    userId: optionalId(a['user.id'] ?? a['enduser.id'], 'user.id'),
    sessionId: optionalId(a['gen_ai.conversation.id'] ?? a['session.id'], 'gen_ai.conversation.id'),
    model: expectId('gen_ai.request.model', model),
    usage: validateUsage({
      inputTokens: input,
      outputTokens: output,
      ...(read !== undefined && { cacheReadTokens: read }),
      ...(write !== undefined && { cacheWriteTokens: write }),
      ...(reasoning !== undefined && { reasoningTokens: reasoning }),
    }),
    costNano,
    priceSource: costNano === undefined ? undefined : 'span',
    cached,
    savedNano: cached ? (tokens(a, 'token_kernel.cache.cost_saved.nano_usd') ?? 0) : 0,
    format: 'otel',
  };
}

/**
 * Reads the model-call records of OpenTelemetry trace data (see {@link isSpanData}): every span of
 * an OTLP export request (`resourceSpans[].scopeSpans[].spans[]`, or the older
 * `instrumentationLibrarySpans`), or the one span given, in the OTLP, JS console-exporter or
 * Python console-exporter shape. Agent: `gen_ai.agent.id` (else `gen_ai.agent.name`); session:
 * `gen_ai.conversation.id`; user: `user.id` or `enduser.id`; model: `gen_ai.response.model`, else
 * `gen_ai.request.model`; time: the span's start. A span written by token-kernel's telemetry
 * carries its cost (`token_kernel.cost.nano_usd`), which is used instead of pricing it again, and
 * cache hits (`token_kernel.cache.hit`, `token_kernel.cache.cost_saved.nano_usd`).
 * @throws KernelError `INVALID_ARGUMENT` naming the attribute of a span that has usage but a
 *   missing model, a bad token count or a bad time
 */
export function readSpans(value: Fields): SpanBatch {
  const records: NormalizedRecord[] = [];
  let ignored = 0;
  const take = (span: unknown): void => {
    const record = isFields(span) ? spanRecord(span) : undefined;
    if (record === undefined) ignored++;
    else records.push(record);
  };
  const resources = value['resourceSpans'];
  if (!Array.isArray(resources)) {
    take(value);
    return { records, ignored };
  }
  for (const resource of resources) {
    if (!isFields(resource)) continue;
    const scopes = resource['scopeSpans'] ?? resource['instrumentationLibrarySpans'];
    if (!Array.isArray(scopes)) continue;
    for (const scope of scopes) {
      const spans = isFields(scope) ? scope['spans'] : undefined;
      if (Array.isArray(spans)) for (const span of spans) take(span);
    }
  }
  return { records, ignored };
}
