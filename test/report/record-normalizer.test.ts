import { describe, expect, it } from 'vitest';
import { NO_KEY } from '../../src/budget/usage-record.js';
import { fromAISDK } from '../../src/pricing/adapters/from-ai-sdk.js';
import { fromAnthropic } from '../../src/pricing/adapters/from-anthropic.js';
import { fromOpenAI } from '../../src/pricing/adapters/from-openai.js';
import { normalizeRecord } from '../../src/report/record-normalizer.js';
import { parseRecordTime } from '../../src/report/record-time.js';
import {
  aiSdkV3AnthropicUsage,
  aiSdkV5GoogleUsage,
  aiSdkV6ResultUsage,
  anthropicCacheHitUsage,
  anthropicMessage,
  anthropicMessageStart,
  langChainAnthropicUsage,
  openAIChatCompletion,
  openAIResponseCompletedEvent,
} from '../pricing/fixtures/payloads.js';
import {
  NOON,
  consoleExporterSpan,
  kernelRecord,
  kernelTelemetrySpan,
  otlpExportRequest,
  pythonConsoleSpan,
} from './report-fixtures.js';

function one(value: unknown) {
  const batch = normalizeRecord(value);
  expect(batch.records).toHaveLength(1);
  return batch.records[0]!;
}

describe('normalizeRecord: token-kernel records', () => {
  it('keeps a kernel record’s stated cost, ids and usage, and reads (none) ids as the no-key', () => {
    const r = one(kernelRecord);
    expect(r).toMatchObject({
      format: 'kernel',
      agentId: 'planner',
      taskId: 'q3-plan',
      userId: 'alice',
      model: 'gpt-4o',
      costNano: 4_160_000,
      priceSource: 'genai-prices@0.1.8',
      time: NOON,
      cached: false,
    });
    expect(r.sessionId).toBe(NO_KEY);
    expect(r.usage).toEqual(kernelRecord.usage);
  });

  it('unwraps the kernel’s usage.recorded event and keeps cache savings of a hit', () => {
    const r = one({
      type: 'usage.recorded',
      record: { ...kernelRecord, cached: true, costNano: 0, savedNano: 9_000 },
    });
    expect(r).toMatchObject({ format: 'kernel', cached: true, costNano: 0, savedNano: 9_000 });
  });

  it('rejects a kernel record with a fractional cost or an inconsistent usage', () => {
    expect(() => normalizeRecord({ ...kernelRecord, costNano: 1.5 })).toThrow(/costNano/);
    expect(() =>
      normalizeRecord({
        ...kernelRecord,
        usage: { inputTokens: 10, outputTokens: 1, cacheReadTokens: 11 },
      }),
    ).toThrow(/cacheReadTokens \+ cacheWriteTokens/);
  });
});

describe('normalizeRecord: provider usage with labels', () => {
  it('reads a whole OpenAI chat completion: model, created (s) and cached prompt tokens', () => {
    const r = one({ ...openAIChatCompletion, agent: 'researcher', user: 'alice', session: 's1' });
    expect(r).toMatchObject({
      format: 'openai',
      model: 'gpt-4.1-2025-04-14',
      agentId: 'researcher',
      userId: 'alice',
      sessionId: 's1',
      time: openAIChatCompletion.created * 1000,
      costNano: undefined,
    });
    expect(r.usage).toEqual(fromOpenAI(openAIChatCompletion.usage));
    expect(r.usage.cacheReadTokens).toBe(1920);
  });

  it('reads an OpenAI response.completed event through its response', () => {
    const r = one({
      ...openAIResponseCompletedEvent,
      metadata: { agent_id: 'coder', task_id: 'fix' },
    });
    expect(r).toMatchObject({
      format: 'openai',
      model: 'o4-mini-2025-04-16',
      agentId: 'coder',
      taskId: 'fix',
    });
    expect(r.usage).toEqual({
      inputTokens: 3236,
      outputTokens: 870,
      cacheReadTokens: 3072,
      reasoningTokens: 640,
    });
    expect(r.time).toBe(1741476542 * 1000);
  });

  it('adds Anthropic cache reads and writes back into the input (a message and a message_start)', () => {
    const r = one({
      ...anthropicMessage,
      labels: { agent: 'writer' },
      timestamp: '2026-01-31T12:00:00Z',
    });
    expect(r.format).toBe('anthropic');
    expect(r.usage).toEqual(fromAnthropic(anthropicMessage.usage));
    expect(r.usage.inputTokens).toBe(21 + 188086);
    expect(r.time).toBe(NOON);
    const start = one(anthropicMessageStart);
    expect(start.model).toBe('claude-sonnet-4-20250514');
    expect(start.usage.inputTokens).toBe(25 + 2048);
  });

  it('tells Anthropic from OpenAI responses by cache fields, thinking tokens or a claude model', () => {
    expect(one({ model: 'x', usage: anthropicCacheHitUsage }).usage.inputTokens).toBe(
      50 + 248 + 188086,
    );
    const bare = { input_tokens: 100, output_tokens: 10 };
    expect(one({ model: 'claude-3-5-haiku-latest', usage: bare }).format).toBe('anthropic');
    expect(one({ model: 'gpt-4.1', usage: bare }).format).toBe('openai');
    expect(one({ model: 'm', provider: 'anthropic', usage: bare }).format).toBe('anthropic');
  });

  it('reads AI SDK v6 provider usage, v6 result usage (totalUsage over usage) and v5 usage', () => {
    expect(one({ model: 'claude-sonnet-4', usage: aiSdkV3AnthropicUsage }).usage).toEqual(
      fromAISDK(aiSdkV3AnthropicUsage),
    );
    const result = one({
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      totalUsage: aiSdkV6ResultUsage,
      response: { modelId: 'gpt-4o-2024-08-06', timestamp: '2026-01-31T12:00:00.000Z' },
    });
    expect(result).toMatchObject({ format: 'ai-sdk', model: 'gpt-4o-2024-08-06', time: NOON });
    expect(result.usage).toEqual(fromAISDK(aiSdkV6ResultUsage));
    expect(one({ model: 'gemini-2.5-pro', usage: aiSdkV5GoogleUsage }).usage.outputTokens).toBe(
      150 + 1024,
    );
  });

  it('reads the kernel’s own inclusive usage shape when it has cache fields', () => {
    const r = one({
      model: 'gpt-4o',
      usage: { inputTokens: 100, outputTokens: 5, cacheWriteTokens: 40 },
    });
    expect(r.format).toBe('usage');
    expect(r.usage.cacheWriteTokens).toBe(40);
  });

  it('reads a LangChain message, plain or serialized', () => {
    const message = {
      content: 'Hi',
      usage_metadata: langChainAnthropicUsage,
      response_metadata: { model_name: 'claude-sonnet-4-20250514' },
    };
    const plain = one(message);
    expect(plain).toMatchObject({ format: 'langchain', model: 'claude-sonnet-4-20250514' });
    expect(plain.usage.cacheReadTokens).toBe(188086);
    const serialized = one({
      lc: 1,
      type: 'constructor',
      id: ['langchain_core', 'messages', 'AIMessage'],
      kwargs: message,
    });
    expect(serialized.usage).toEqual(plain.usage);
  });

  it('states a cost given as costUsd and takes numeric user ids', () => {
    const r = one({
      model: 'gpt-4o',
      usage: { prompt_tokens: 1, completion_tokens: 1 },
      costUsd: 0.25,
      user: 1234,
    });
    expect(r.costNano).toBe(250_000_000);
    expect(r.userId).toBe('1234');
  });

  it('names the field of a malformed record', () => {
    expect(() => normalizeRecord([1, 2])).toThrow(/`record` to be a JSON object/);
    expect(() => normalizeRecord({ usage: { prompt_tokens: 1, completion_tokens: 1 } })).toThrow(
      /`model`/,
    );
    expect(() => normalizeRecord({ model: 'gpt-4o' })).toThrow(/`usage`/);
    expect(() =>
      normalizeRecord({ model: 'gpt-4o', usage: { prompt_tokens: -1, completion_tokens: 1 } }),
    ).toThrow(/usage.prompt_tokens/);
    expect(() => normalizeRecord({ model: 'gpt-4o', usage: { foo: 1 } })).toThrow(/`usage`/);
    expect(() =>
      normalizeRecord({
        model: 'gpt-4o',
        usage: { prompt_tokens: 1, completion_tokens: 1 },
        time: 'yesterday',
      }),
    ).toThrow(/`time`/);
    expect(() =>
      normalizeRecord({
        model: 'gpt-4o',
        usage: { prompt_tokens: 1, completion_tokens: 1 },
        agent: 'a'.repeat(300),
      }),
    ).toThrow(/`agent`/);
    expect(() =>
      normalizeRecord({
        model: 'gpt-4o',
        usage: { prompt_tokens: 1, completion_tokens: 1 },
        costUsd: -1,
      }),
    ).toThrow(/costUsd/);
  });
});

describe('normalizeRecord: OpenTelemetry spans', () => {
  it('reads the chat span of an OTLP export request and ignores the agent and tool spans', () => {
    const batch = normalizeRecord(otlpExportRequest);
    expect(batch.ignored).toBe(2);
    expect(batch.records).toHaveLength(1);
    expect(batch.records[0]).toMatchObject({
      format: 'otel',
      model: 'gpt-4o-mini-2024-07-18',
      agentId: 'triage',
      sessionId: 'conv-42',
      userId: 'u-7',
      time: NOON,
      usage: { inputTokens: 1250, outputTokens: 180, cacheReadTokens: 1024 },
    });
  });

  it('reads a JS console-exporter span (µs timestamp, agent name) and a Python one (ISO start)', () => {
    const js = one(consoleExporterSpan);
    expect(js).toMatchObject({
      agentId: 'writer',
      model: 'claude-sonnet-4-20250514',
      time: NOON + 250,
    });
    expect(js.usage).toEqual({
      inputTokens: 2400,
      outputTokens: 350,
      cacheReadTokens: 2000,
      cacheWriteTokens: 300,
    });
    const py = one(pythonConsoleSpan);
    expect(py).toMatchObject({ model: 'gpt-4.1', sessionId: 'thread-9', time: NOON + 1500 });
  });

  it('keeps the cost and cache savings token-kernel’s telemetry puts on its spans', () => {
    expect(one(kernelTelemetrySpan)).toMatchObject({
      costNano: 0,
      cached: true,
      savedNano: 4_250_000,
    });
  });

  it('adds back cache tokens that an instrumentation left out of the input', () => {
    const r = one({
      name: 'chat',
      attributes: {
        'gen_ai.request.model': 'claude-sonnet-4',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 50,
        'gen_ai.usage.cache_read_input_tokens': 4000,
      },
    });
    expect(r.usage).toEqual({ inputTokens: 4012, outputTokens: 50, cacheReadTokens: 4000 });
  });

  it('rejects a span with usage but no model, or a bad count', () => {
    expect(() =>
      normalizeRecord({
        attributes: { 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 1 },
      }),
    ).toThrow(/gen_ai.request.model/);
    expect(() =>
      normalizeRecord({
        attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 'many' },
      }),
    ).toThrow(/gen_ai.usage.input_tokens/);
  });
});

describe('parseRecordTime', () => {
  it('reads seconds, ms, µs, ns, digit strings, ISO strings and HrTime tuples', () => {
    const s = NOON / 1000;
    for (const value of [
      s,
      NOON,
      NOON * 1000,
      `${NOON}000000`,
      String(s),
      '2026-01-31T12:00:00Z',
      [s, 0],
    ])
      expect(parseRecordTime(value, 'time')).toBe(NOON);
  });

  it('rejects what is not a time', () => {
    for (const value of ['soon', true, {}, [1], NaN, 9e20 * 1e9])
      expect(() => parseRecordTime(value, 't')).toThrow(/`t`/);
  });
});
