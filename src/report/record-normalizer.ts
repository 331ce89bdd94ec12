import { validateUsage } from '../usage.js';
import { expectId, invalid, isTokenCount } from '../validate.js';
import { isSpanData, readSpans } from './otel-span.js';
import { isFields, optionalId, pick, type Fields, type NormalizedRecord } from './record-fields.js';
import { parseRecordTime } from './record-time.js';
import { normalizeUsage } from './usage-shape.js';

/** The records one JSON line holds (an OTLP export request may hold many, or none). */
export interface RecordBatch {
  readonly records: readonly NormalizedRecord[];
  /** Spans that are not model calls with usage (see `readSpans`). */
  readonly ignored: number;
}

const LABEL_OBJECTS = ['labels', 'metadata'];
const AGENT_KEYS = ['agent', 'agentId', 'agent_id'];
const TASK_KEYS = ['task', 'taskId', 'task_id'];
const USER_KEYS = ['user', 'userId', 'user_id'];
const SESSION_KEYS = [
  'session',
  'sessionId',
  'session_id',
  'conversationId',
  'conversation_id',
  'threadId',
  'thread_id',
];
const MODEL_KEYS = ['model', 'modelId', 'model_name'];
const TIME_KEYS = ['time', 'timestamp', 'created_at', 'createdAt', 'created'];
/** Objects that carry the model and usage of a call inside an event or a result. */
const CARRIERS = ['response', 'message', 'response_metadata'];

function timeOf(value: Fields, carrier: Fields | undefined): number | undefined {
  for (const key of TIME_KEYS) {
    const raw = value[key] ?? carrier?.[key];
    if (raw !== undefined && raw !== null) return parseRecordTime(raw, key);
  }
  return undefined;
}

/** A kernel `UsageRecord` as JSON: it has its cost already, so it is not priced again. */
function kernelRecord(r: Fields): NormalizedRecord {
  const costNano = r['costNano'];
  if (!isTokenCount(costNano)) invalid('costNano', 'a non-negative safe integer', costNano);
  const savedNano = r['savedNano'] ?? 0;
  if (!isTokenCount(savedNano)) invalid('savedNano', 'a non-negative safe integer', savedNano);
  const cached = r['cached'] ?? false;
  if (typeof cached !== 'boolean') invalid('cached', 'a boolean', cached);
  const source = r['priceSource'];
  return {
    time: r['time'] === undefined ? undefined : parseRecordTime(r['time'], 'time'),
    agentId: expectId('agentId', r['agentId']),
    taskId: optionalId(r['taskId'], 'taskId'),
    userId: optionalId(r['userId'], 'userId'),
    sessionId: optionalId(r['sessionId'], 'sessionId'),
    model: expectId('model', r['model']),
    usage: validateUsage(r['usage']),
    costNano,
    priceSource: typeof source === 'string' ? source : 'record',
    cached,
    savedNano: cached ? savedNano : 0,
    format: 'kernel',
  };
}

function isKernelRecord(r: Fields): boolean {
  const usage = r['usage'];
  return (
    typeof r['agentId'] === 'string' &&
    typeof r['costNano'] === 'number' &&
    isFields(usage) &&
    typeof usage['inputTokens'] === 'number'
  );
}

/** A stated cost: `costNano` (integer nano-USD) or `costUsd`/`cost_usd` (USD). */
function statedCost(r: Fields): number | undefined {
  const nano = r['costNano'];
  if (nano !== undefined) {
    if (!isTokenCount(nano)) invalid('costNano', 'a non-negative safe integer', nano);
    return nano;
  }
  const dollars = r['costUsd'] ?? r['cost_usd'];
  if (dollars === undefined) return undefined;
  if (typeof dollars !== 'number' || !Number.isFinite(dollars) || dollars < 0 || dollars > 9e6)
    invalid('costUsd', 'a non-negative number of US dollars (at most 9,000,000)', dollars);
  return Math.round(dollars * 1e9);
}

/**
 * A provider usage object with its model and labels: `{ model, usage, agent?, user?, task?,
 * session?, time? }` (labels also under `labels` or `metadata`, in camelCase or snake_case), or a
 * whole provider payload: an OpenAI completion or response (`created`/`created_at`), a
 * `response.completed` event, an Anthropic message or `message_start` event, an AI SDK result
 * (`response.modelId`), a LangChain message (`usage_metadata`, `response_metadata.model_name`;
 * also in its serialized `{ lc: 1, kwargs }` form).
 */
function usageRecord(r: Fields): NormalizedRecord {
  let carrier: Fields | undefined;
  for (const key of CARRIERS) {
    const inner = r[key];
    if (isFields(inner) && (inner['usage'] !== undefined || pick(inner, MODEL_KEYS, []))) {
      carrier = inner;
      break;
    }
  }
  const model = expectId('model', pick(r, MODEL_KEYS, []) ?? pick(carrier ?? {}, MODEL_KEYS, []));
  // An AI SDK multi-step result's `usage` is its last step only; `totalUsage` is the whole call.
  const rawUsage = r['totalUsage'] ?? r['usage'] ?? r['usage_metadata'] ?? carrier?.['usage'];
  if (rawUsage === undefined) invalid('usage', 'a usage object', undefined);
  const provider = r['provider'];
  const { usage, format } = normalizeUsage(rawUsage, {
    provider: rawUsage === r['usage_metadata'] ? 'langchain' : provider,
    model,
  });
  const cached = r['cached'] ?? false;
  if (typeof cached !== 'boolean') invalid('cached', 'a boolean', cached);
  const costNano = statedCost(r);
  return {
    time: timeOf(r, carrier),
    agentId: optionalId(pick(r, AGENT_KEYS, LABEL_OBJECTS), 'agent'),
    taskId: optionalId(pick(r, TASK_KEYS, LABEL_OBJECTS), 'task'),
    userId: optionalId(pick(r, USER_KEYS, LABEL_OBJECTS), 'user'),
    sessionId: optionalId(pick(r, SESSION_KEYS, LABEL_OBJECTS), 'session'),
    model,
    usage,
    costNano,
    priceSource: costNano === undefined ? undefined : 'record',
    cached,
    savedNano: 0,
    format,
  };
}

/**
 * Reads the usage records in one parsed JSON line, detecting its shape: a kernel `UsageRecord`
 * (or its `usage.recorded` event), OpenTelemetry trace data with `gen_ai.*` attributes (see
 * `readSpans`), or a provider usage object with model and labels (see `normalizeUsage` for the
 * usage shapes). Labels, model and time are validated; the record is not yet priced.
 * @throws KernelError `INVALID_ARGUMENT` naming the first bad field
 */
export function normalizeRecord(value: unknown): RecordBatch {
  if (!isFields(value)) return invalid('record', 'a JSON object', value);
  let r = value;
  if (r['type'] === 'usage.recorded' && isFields(r['record'])) r = r['record'];
  // LangChain's serialized message: { lc: 1, type: 'constructor', id: [...], kwargs: { ... } }.
  else if (r['lc'] === 1 && isFields(r['kwargs'])) r = r['kwargs'];
  if (isKernelRecord(r)) return { records: [kernelRecord(r)], ignored: 0 };
  if (
    r['usage'] === undefined &&
    r['totalUsage'] === undefined &&
    r['usage_metadata'] === undefined &&
    isSpanData(r)
  )
    return readSpans(r);
  return { records: [usageRecord(r)], ignored: 0 };
}
