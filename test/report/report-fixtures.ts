// Inputs for the report tests: chunked streams and OpenTelemetry span data shaped as the
// exporters write it (provider payloads come from test/pricing/fixtures/payloads.ts).

/** An async iterable of `text`'s UTF-8 bytes in chunks of `size` bytes (splitting characters). */
export async function* chunks(text: string, size = 7): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** JSONL of the values, one per line. */
export function jsonl(...values: unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n') + '\n';
}

/** 2026-01-31T12:00:00Z. */
export const NOON = Date.UTC(2026, 0, 31, 12);

/** One line of the OpenTelemetry Collector's file exporter (OTLP/JSON): a chat span and its agent span. */
export const otlpExportRequest = {
  resourceSpans: [
    {
      resource: {
        attributes: [{ key: 'service.name', value: { stringValue: 'support-bot' } }],
      },
      scopeSpans: [
        {
          scope: { name: 'opentelemetry.instrumentation.openai_v2', version: '0.1b0' },
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              parentSpanId: 'eee19b7ec3c1b173',
              name: 'chat gpt-4o-mini',
              kind: 3,
              startTimeUnixNano: String(BigInt(NOON) * 1_000_000n),
              endTimeUnixNano: String(BigInt(NOON + 900) * 1_000_000n),
              attributes: [
                { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
                { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
                { key: 'gen_ai.response.model', value: { stringValue: 'gpt-4o-mini-2024-07-18' } },
                { key: 'gen_ai.usage.input_tokens', value: { intValue: '1250' } },
                { key: 'gen_ai.usage.output_tokens', value: { intValue: '180' } },
                { key: 'gen_ai.usage.cache_read.input_tokens', value: { intValue: '1024' } },
                { key: 'gen_ai.agent.id', value: { stringValue: 'triage' } },
                { key: 'gen_ai.conversation.id', value: { stringValue: 'conv-42' } },
                { key: 'user.id', value: { stringValue: 'u-7' } },
              ],
              status: { code: 1 },
            },
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b173',
              name: 'invoke_agent triage',
              kind: 1,
              startTimeUnixNano: String(BigInt(NOON) * 1_000_000n),
              endTimeUnixNano: String(BigInt(NOON + 1_000) * 1_000_000n),
              attributes: [
                { key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } },
                { key: 'gen_ai.agent.id', value: { stringValue: 'triage' } },
                { key: 'gen_ai.usage.input_tokens', value: { intValue: '1250' } },
                { key: 'gen_ai.usage.output_tokens', value: { intValue: '180' } },
              ],
            },
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b175',
              name: 'execute_tool lookup',
              startTimeUnixNano: String(BigInt(NOON) * 1_000_000n),
              attributes: [
                { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
              ],
            },
          ],
        },
      ],
    },
  ],
};

/** A span as @opentelemetry/sdk-trace-base's ConsoleSpanExporter prints it (timestamp in µs). */
export const consoleExporterSpan = {
  resource: { attributes: { 'service.name': 'writer-svc' } },
  instrumentationScope: { name: 'token-kernel', version: '0.1.0' },
  traceId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  parentSpanContext: undefined,
  traceState: undefined,
  name: 'chat claude-sonnet-4-20250514',
  id: '1a2b3c4d5e6f7081',
  kind: 2,
  timestamp: NOON * 1000 + 250_000,
  duration: 1_800_000,
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.request.model': 'claude-sonnet-4-20250514',
    'gen_ai.usage.input_tokens': 2400,
    'gen_ai.usage.output_tokens': 350,
    'gen_ai.usage.cache_read.input_tokens': 2000,
    'gen_ai.usage.cache_creation.input_tokens': 300,
    'gen_ai.agent.name': 'writer',
  },
  status: { code: 0 },
  events: [],
  links: [],
};

/** A span as the Python SDK's ConsoleSpanExporter prints it (ISO start time, µs precision). */
export const pythonConsoleSpan = {
  name: 'chat gpt-4.1',
  context: { trace_id: '0x5b8efff798038103d269b633813fc60c', span_id: '0x051581bf3cb55c13' },
  kind: 'SpanKind.CLIENT',
  parent_id: null,
  start_time: '2026-01-31T12:00:01.500000Z',
  end_time: '2026-01-31T12:00:03.000000Z',
  status: { status_code: 'UNSET' },
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4.1',
    'gen_ai.usage.input_tokens': 900,
    'gen_ai.usage.output_tokens': 60,
    'gen_ai.conversation.id': 'thread-9',
  },
  events: [],
  links: [],
  resource: { attributes: { 'service.name': 'py-agent' }, schema_url: '' },
};

/** A call span written by token-kernel's own telemetry: its cost is on the span. */
export const kernelTelemetrySpan = {
  name: 'chat gpt-4o',
  startTimeUnixNano: String(BigInt(NOON + 2_000) * 1_000_000n),
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.agent.id': 'planner',
    'gen_ai.usage.input_tokens': 0,
    'gen_ai.usage.output_tokens': 0,
    'token_kernel.cost.usd': 0,
    'token_kernel.cost.nano_usd': 0,
    'token_kernel.cache.hit': true,
    'token_kernel.cache.cost_saved.nano_usd': 4_250_000,
  },
};

/** A kernel usage record as `JSON.stringify(record)` writes it. */
export const kernelRecord = {
  seq: 1,
  time: NOON,
  agentId: 'planner',
  taskId: 'q3-plan',
  userId: 'alice',
  sessionId: '(none)',
  model: 'gpt-4o',
  usage: { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 1024 },
  costNano: 4_160_000,
  priceSource: 'genai-prices@0.1.8',
  cached: false,
  savedNano: 0,
};
