import type { AgentCore } from '../agents/agent-core.js';
import type { SignalEvent } from '../agents/signal.js';
import type { UsageRecord } from '../budget/usage-record.js';
import { cacheKey } from '../cache/cache-key.js';
import { cacheability } from '../cache/cacheability.js';
import type { CostCache } from '../cache/cost-cache.js';
import { SingleFlight } from '../cache/single-flight.js';
import { KernelError } from '../errors.js';
import { budgetError, notRunnable, type Accounting } from '../kernel/accounting.js';
import type { Pricing } from '../pricing/pricing.js';
import { countText } from '../tokens/bpe-count.js';
import type { TokenCounter } from '../tokens/token-counter.js';
import { validateUsage, type Usage } from '../usage.js';
import { invalid } from '../validate.js';
import { classifyFailure } from './call-failure.js';
import type {
  CachedResponse,
  CallOptions,
  CallRequest,
  CallResult,
  Invoke,
  InvokeContext,
  InvokeResult,
  ResolvedCallRequest,
} from './call-types.js';
import type { OutputEstimator } from './output-estimator.js';
import { validateCallRequest } from './validate-call.js';
import { kernelTracer, withCallSpan } from '../telemetry/call-span.js';

/** What the call path needs from the kernel. */
export interface CallServiceDeps {
  readonly accounting: Accounting;
  readonly pricing: Pricing;
  readonly tokens: () => TokenCounter;
  readonly cache: CostCache<CachedResponse> | undefined;
  readonly estimator: OutputEstimator;
  readonly downgrade: Readonly<Record<string, string>>;
  readonly assertOpen: () => void;
  /** With a shared store: resolves once the agent's shared limits for `model` have lease in hand. */
  readonly whenFunded?: (core: AgentCore, model: string) => Promise<void> | undefined;
  /** Subscribes to one agent's signals for the duration of a call. */
  readonly onSignal: (
    core: AgentCore,
    signal: 'SIGSTOP',
    handler: (e: SignalEvent) => void,
  ) => () => void;
}

interface Flight {
  readonly response: CachedResponse;
  readonly result: CallResult<unknown>;
}

/**
 * The governed call: count input → reserve input + output (capped to what every budget can pay)
 * → cache lookup → invoke → commit the actual usage. Identical cacheable calls in flight at once
 * run once; the others are served as cache hits. No reservation ever leaks: a call that fails
 * is cancelled (the model never ran) or settled with the best estimate (never $0).
 */
export class CallService {
  readonly #d: CallServiceDeps;
  readonly #flights = new SingleFlight<Flight>();

  constructor(deps: CallServiceDeps) {
    this.#d = deps;
  }

  async call<T>(
    core: AgentCore,
    request: CallRequest,
    invoke: Invoke<T>,
    options: CallOptions = {},
  ): Promise<CallResult<T>> {
    this.#d.assertOpen();
    validateCallRequest(request, invoke, options);
    if (!core.runnable) throw notRunnable(core);
    if (options.signal?.aborted)
      throw new KernelError(
        'ABORTED',
        `The call of agent \`${core.id}\` was aborted before it started`,
        { cause: options.signal.reason },
      );
    const model = this.#model(core, request, options);
    // One OpenTelemetry span per governed call (a no-op unless the application registers an SDK).
    return withCallSpan(
      kernelTracer(),
      { operation: 'chat', model, agentId: core.id },
      () => this.#call(core, request, model, invoke, options),
      (r) => ({
        usage: r.usage,
        costNano: r.costNano,
        cached: r.cached,
        ...(r.record.savedNano !== undefined && { costSavedNano: r.record.savedNano }),
        ...(core.total > 0 && { utilization: core.used / core.total }),
      }),
    );
  }

  async #call<T>(
    core: AgentCore,
    request: CallRequest,
    model: string,
    invoke: Invoke<T>,
    options: CallOptions,
  ): Promise<CallResult<T>> {
    const counted = await this.#d.tokens().count(request.messages, model);
    const resolved = { ...request, model };
    const scope = options.cacheScope ?? core.userId ?? 'shared';
    const cacheable =
      this.#d.cache !== undefined &&
      options.cache !== false &&
      (options.cache === 'force' || cacheability(resolved).cacheable);
    if (!cacheable)
      return (await this.#invoke(core, resolved, counted, invoke, options, undefined))
        .result as CallResult<T>;

    const key = cacheKey(resolved as unknown as Record<string, unknown>, scope);
    const hit = this.#d.cache?.get(key);
    if (hit !== undefined) return this.#hit<T>(core, hit);
    const { value, shared } = await this.#flights.run(key, () =>
      this.#invoke(core, resolved, counted, invoke, options, key),
    );
    return shared ? this.#hit<T>(core, value.response) : (value.result as CallResult<T>);
  }

  /** The request's model, switched by the downgrade map when the agent is warned or downgraded. */
  #model(core: AgentCore, request: CallRequest, options: CallOptions): string {
    const model = request.model ?? core.defaultModel;
    if (model === undefined)
      invalid('request.model', 'a model id (the agent has no default `model`)', model);
    const map = options.downgrade === false ? undefined : (options.downgrade ?? this.#d.downgrade);
    if (map !== undefined && (core.downgraded || core.state === 'warned'))
      return map[model] ?? model;
    return model;
  }

  async #invoke<T>(
    core: AgentCore,
    request: CallRequest & { model: string },
    counted: { tokens: number; exact: boolean },
    invoke: Invoke<T>,
    options: CallOptions,
    key: string | undefined,
  ): Promise<Flight> {
    const { accounting, estimator, pricing } = this.#d;
    const model = request.model;
    const task = core.taskId ?? '(none)';
    const input = counted.tokens;
    const wanted = request.maxOutputTokens ?? estimator.estimate(task, model).tokens;
    const funding = this.#d.whenFunded?.(core, model);
    if (funding !== undefined) await funding;
    const room = accounting.headroom(core, model, input);
    const out = Math.min(wanted, room.maxOutputTokens);
    if (out < 1 && wanted > 0) {
      throw budgetError(core, {
        limit: room.limitedBy,
        scope: 'window',
        unit: 'tokens',
        requested: input + 1,
        available: input + room.maxOutputTokens,
      });
    }
    const reservation = accounting.reserve(core, {
      model,
      inputTokens: input,
      maxOutputTokens: out,
    });
    const resolved: ResolvedCallRequest = { ...request, model, maxOutputTokens: out };

    const controller = new AbortController();
    const onAbort = (): void => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const offStop = options.abortOnStop
      ? this.#d.onSignal(core, 'SIGSTOP', (e) =>
          controller.abort(
            new KernelError(
              'AGENT_NOT_RUNNABLE',
              `Agent \`${core.id}\` received SIGSTOP (${e.reason}) during a call`,
            ),
          ),
        )
      : () => undefined;
    let seenTokens = 0;
    const context: InvokeContext = {
      signal: controller.signal,
      output: (text) => {
        if (typeof text === 'string') seenTokens += countText(text, 'o200k_base');
      },
      outputTokens: (n) => {
        if (Number.isSafeInteger(n) && n > 0) seenTokens += n;
      },
    };

    let result: InvokeResult<T>;
    try {
      result = await invoke(resolved, context);
      if (result === null || typeof result !== 'object')
        invalid('invoke result', 'an object { output, usage?, finishReason? }', result);
    } catch (error) {
      // The model was invoked: unless the error shows it never ran, it consumed at least the input.
      const kind = classifyFailure(error, {
        aborted: controller.signal.aborted,
        outputSeen: seenTokens > 0,
      });
      if (kind === 'never-ran') {
        if (reservation.state === 'open') accounting.cancel(reservation);
      } else {
        accounting.commit(reservation, {
          inputTokens: input,
          outputTokens: kind === 'cut-short' ? seenTokens : 0,
        });
      }
      throw error;
    } finally {
      offStop();
      options.signal?.removeEventListener('abort', onAbort);
    }

    const estimated = result.usage === undefined;
    const usage: Usage = estimated
      ? { inputTokens: input, outputTokens: Math.max(seenTokens, countOutput(result.output)) }
      : validateUsage(result.usage, 'invoke result usage');
    const record: UsageRecord = accounting.commit(reservation, usage);
    if (!counted.exact) this.#d.tokens().calibrate(model, input, usage.inputTokens);
    estimator.observe(task, model, usage.outputTokens, out);
    const price = pricing.resolve(model);
    const response: CachedResponse = {
      output: result.output,
      usage,
      finishReason: result.finishReason,
      model,
      costNano: pricing.cost(price, usage),
    };
    if (key !== undefined && this.#d.cache !== undefined) {
      const rule = cacheability(
        request,
        result.finishReason === undefined ? {} : { finishReason: result.finishReason },
        { force: options.cache === 'force' },
      );
      if (rule.cacheable)
        this.#d.cache.set(key, response, {
          costNano: response.costNano,
          bytes: sizeOf(result.output),
          tokens: usage.inputTokens + usage.outputTokens,
        });
    }
    const callResult: CallResult<T> = {
      output: result.output,
      usage,
      cached: false,
      costNano: record.costNano,
      model,
      record,
      estimated,
      ...(result.finishReason !== undefined && { finishReason: result.finishReason }),
    };
    return { response, result: callResult };
  }

  /** Books a cache hit: no tokens, no cost, its list price as savings. */
  #hit<T>(core: AgentCore, response: CachedResponse): CallResult<T> {
    const record = this.#d.accounting.record(
      core,
      { inputTokens: 0, outputTokens: 0 },
      response.model,
      true,
      response.costNano,
    );
    return {
      output: response.output as T,
      usage: response.usage,
      cached: true,
      costNano: 0,
      model: response.model,
      record,
      estimated: false,
      ...(response.finishReason !== undefined && { finishReason: response.finishReason }),
    };
  }
}

/** Output tokens of an answer the provider reported no usage for (text counted, else its JSON). */
function countOutput(output: unknown): number {
  if (typeof output === 'string') return countText(output, 'o200k_base');
  if (output === undefined || output === null) return 0;
  return countText(JSON.stringify(output) ?? '', 'o200k_base');
}

/** Bytes a cached answer takes, roughly: UTF-16 length of its text or JSON. */
function sizeOf(output: unknown): number {
  const text = typeof output === 'string' ? output : (JSON.stringify(output) ?? '');
  return Math.max(64, text.length * 2);
}
