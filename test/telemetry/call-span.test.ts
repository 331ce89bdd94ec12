import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type ContextManager,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errors.js';
import { kernelTracer, withCallSpan } from '../../src/telemetry/call-span.js';
import type { CallSpanStart } from '../../src/telemetry/gen-ai-attributes.js';
import { makeKernel } from '../helpers/kernel-fixture.js';

const START: CallSpanStart = {
  operation: 'chat',
  provider: 'openai',
  model: 'gpt-4o-mini',
  agentId: 'writer',
};

/** The smallest AsyncLocalStorage context manager (the SDK's lives in a package not installed). */
class AlsContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider;

beforeEach(() => {
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
});

afterEach(async () => {
  await provider.shutdown();
});

describe('withCallSpan', () => {
  it('records one CLIENT span named "operation model" with request and usage attributes', async () => {
    const tracer = provider.getTracer('test');
    const result = await withCallSpan(tracer, START, async () => ({
      text: 'hello',
      usage: { inputTokens: 900, outputTokens: 100, cacheReadTokens: 512, reasoningTokens: 40 },
      costNano: 250_000,
      cached: false,
      utilization: 0.5,
      compressionRatio: 0.75,
    }));
    expect(result.text).toBe('hello');
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.agent.id': 'writer',
      'gen_ai.usage.input_tokens': 900,
      'gen_ai.usage.output_tokens': 100,
      'gen_ai.usage.cache_read.input_tokens': 512,
      'gen_ai.usage.reasoning.output_tokens': 40,
      'token_kernel.cost.usd': 0.00025,
      'token_kernel.cost.nano_usd': 250_000,
      'token_kernel.cache.hit': false,
      'token_kernel.cache.tokens_saved': 0,
      'token_kernel.budget.utilization': 0.5,
      'token_kernel.compression.ratio': 0.75,
    });
  });

  it('makes the call span active, so the SDK call inside becomes its child', async () => {
    const manager = new AlsContextManager();
    context.setGlobalContextManager(manager);
    try {
      const tracer = provider.getTracer('test');
      await withCallSpan(
        tracer,
        START,
        async (span) => {
          await Promise.resolve();
          expect(trace.getActiveSpan()).toBe(span);
          tracer.startSpan('http POST').end();
          return 1;
        },
        () => undefined,
      );
    } finally {
      context.disable();
    }
    const [child, call] = exporter.getFinishedSpans();
    expect(child!.name).toBe('http POST');
    expect(child!.parentSpanContext?.spanId).toBe(call!.spanContext().spanId);
    expect(call!.attributes['gen_ai.request.model']).toBe('gpt-4o-mini');
    expect(call!.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('describes a result through the outcome function', async () => {
    const tracer = provider.getTracer('test');
    const reply = { answer: 42, meter: { tokensIn: 30, tokensOut: 7, nano: 900 } };
    await withCallSpan(
      tracer,
      START,
      () => reply,
      (r) => ({
        usage: { inputTokens: r.meter.tokensIn, outputTokens: r.meter.tokensOut },
        costNano: r.meter.nano,
        cached: false,
      }),
    );
    const span = exporter.getFinishedSpans()[0]!;
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(30);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(7);
    expect(span.attributes['token_kernel.cost.nano_usd']).toBe(900);
  });

  it('records the exception, sets ERROR status and error.type, ends the span and rethrows', async () => {
    const tracer = provider.getTracer('test');
    const failure = new KernelError('BUDGET_EXCEEDED', 'window full');
    await expect(
      withCallSpan(tracer, START, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const span = exporter.getFinishedSpans()[0]!;
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'window full' });
    expect(span.attributes['error.type']).toBe('BUDGET_EXCEEDED');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.events[0]!.attributes?.['exception.message']).toBe('window full');
    expect(span.ended).toBe(true);
  });

  it("uses an error's name as error.type, and _OTHER for a thrown non-error", async () => {
    const tracer = provider.getTracer('test');
    await expect(
      withCallSpan(tracer, START, () => {
        throw new TypeError('bad');
      }),
    ).rejects.toThrow('bad');
    await expect(
      withCallSpan(tracer, START, () => {
        throw 'plain string';
      }),
    ).rejects.toBe('plain string');
    const types = exporter.getFinishedSpans().map((s) => s.attributes['error.type']);
    expect(types).toEqual(['TypeError', '_OTHER']);
  });

  it('traces a real governed call of the kernel, cache hit included', async () => {
    const tracer = provider.getTracer('test');
    const { kernel } = makeKernel();
    const agent = kernel.spawn({ id: 'coder', maxTokens: 10_000, model: 'test-large' });
    const request = {
      messages: [{ role: 'user' as const, content: 'sum 2 and 2' }],
      temperature: 0,
      maxOutputTokens: 20,
    };
    const invoke = async () => ({
      output: '4',
      usage: { inputTokens: 12, outputTokens: 3 },
      finishReason: 'stop',
    });
    const traced = () =>
      withCallSpan(
        tracer,
        { operation: 'chat', model: 'test-large', agentId: agent.id },
        () => agent.call(request, invoke),
        (r) => ({
          usage: r.usage,
          costNano: r.costNano,
          cached: r.cached,
          costSavedNano: r.record.savedNano ?? 0,
          utilization: kernel.status().agents[agent.id]!.used / 10_000,
        }),
      );
    const first = await traced();
    const second = await traced();
    expect([first.cached, second.cached]).toEqual([false, true]);
    const [miss, hit] = exporter.getFinishedSpans().map((s) => s.attributes);
    expect(miss).toMatchObject({
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'token_kernel.cost.nano_usd': first.costNano,
      'token_kernel.cache.hit': false,
      'token_kernel.budget.utilization': 15 / 10_000,
    });
    expect(first.costNano).toBeGreaterThan(0);
    expect(hit).toMatchObject({
      'gen_ai.usage.input_tokens': 0,
      'gen_ai.usage.output_tokens': 0,
      'token_kernel.cost.nano_usd': 0,
      'token_kernel.cache.hit': true,
      'token_kernel.cache.tokens_saved': 15,
      'token_kernel.cache.cost_saved.nano_usd': first.costNano,
    });
    await kernel.close();
  });

  it('rejects a bad call description before starting a span', async () => {
    const tracer = provider.getTracer('test');
    await expect(
      withCallSpan(
        tracer,
        { ...START, agentId: '' },
        () => 1,
        () => undefined,
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      withCallSpan(
        {} as never,
        START,
        () => 1,
        () => undefined,
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('is a no-op through the global API when no SDK is registered', async () => {
    const value = await withCallSpan(kernelTracer(), START, () => ({
      usage: { inputTokens: 1, outputTokens: 1 },
      costNano: 1,
      cached: false,
    }));
    expect(value.costNano).toBe(1);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
