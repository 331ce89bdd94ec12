import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { isKernelError } from '../errors.js';
import { invalid } from '../validate.js';
import {
  CALL_ATTRIBUTE,
  callOutcomeAttributes,
  callStartAttributes,
  type CallOutcome,
  type CallSpanStart,
} from './gen-ai-attributes.js';

/** The instrumentation scope name token-kernel's spans are created under. */
export const TRACER_NAME = 'token-kernel';

/**
 * token-kernel's tracer from the global OpenTelemetry API: a no-op until the application
 * registers an SDK (`trace.setGlobalTracerProvider`, `NodeSDK`, …), so tracing costs nothing
 * when nobody listens.
 */
export function kernelTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Runs one governed call inside a CLIENT span named `${operation} ${model}` (the OpenTelemetry
 * GenAI convention), with the request attributes set at start. On success the outcome
 * attributes (usage, cost, cache, compression: see {@link callOutcomeAttributes}) are taken from
 * `fn`'s result; on failure the exception is recorded, the status set to ERROR and `error.type`
 * set (a `KernelError`'s code, else the error's name). The span always ends.
 *
 * Without `outcome`, the result itself must be a {@link CallOutcome}; with it, `outcome(result)`
 * says what the call cost (`undefined`: no outcome attributes).
 * @returns `fn`'s result; rejects with `fn`'s error unchanged
 * @throws KernelError `INVALID_ARGUMENT` (as a rejection) for a bad `start` or outcome
 * @example
 * const reply = await withCallSpan(kernelTracer(), { operation: 'chat', provider: 'openai', model, agentId },
 *   () => callModel(), (r) => ({ usage: r.usage, costNano: r.record.costNano, cached: false }));
 */
export function withCallSpan<T extends CallOutcome>(
  tracer: Tracer,
  start: CallSpanStart,
  fn: (span: Span) => T | Promise<T>,
): Promise<T>;
export function withCallSpan<T>(
  tracer: Tracer,
  start: CallSpanStart,
  fn: (span: Span) => T | Promise<T>,
  outcome: (result: T) => CallOutcome | undefined,
): Promise<T>;
export async function withCallSpan<T>(
  tracer: Tracer,
  start: CallSpanStart,
  fn: (span: Span) => T | Promise<T>,
  outcome?: (result: T) => CallOutcome | undefined,
): Promise<T> {
  if (tracer === null || typeof tracer !== 'object' || typeof tracer.startActiveSpan !== 'function')
    invalid('tracer', 'an OpenTelemetry Tracer', tracer);
  if (typeof fn !== 'function') invalid('fn', 'a function', fn);
  if (outcome !== undefined && typeof outcome !== 'function')
    invalid('outcome', 'a function or undefined', outcome);
  const attributes = callStartAttributes(start);
  return tracer.startActiveSpan(
    `${start.operation} ${start.model}`,
    { kind: SpanKind.CLIENT, attributes },
    async (span) => {
      try {
        const result = await fn(span);
        const described = outcome === undefined ? (result as CallOutcome) : outcome(result);
        if (described !== undefined) span.setAttributes(callOutcomeAttributes(described));
        return result;
      } catch (error) {
        recordFailure(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

function recordFailure(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute(CALL_ATTRIBUTE.errorType, errorType(error));
}

/** `error.type` per the conventions: a stable code when there is one, else the class name. */
function errorType(error: unknown): string {
  if (isKernelError(error)) return error.code;
  if (error instanceof Error && error.name !== '') return error.name;
  return '_OTHER';
}
