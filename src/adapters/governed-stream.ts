import type { GovernedAgent } from '../agents/governed-agent.js';
import type { CallRequest, ResolvedCallRequest } from '../calls/call-types.js';
import { callOptionsOf, type GovernOptions } from './adapter-options.js';
import { StreamSettlement } from './stream-settlement.js';

/**
 * Opens a governed stream. The call goes through `agent.call` (count → reserve with the output
 * cap → call → commit, never cached) whose `invoke` stays pending while the stream flows: `open`
 * starts the provider's stream and returns it wrapped so that it feeds the {@link
 * StreamSettlement}; the wrapped stream is delivered to the caller as soon as it is open, and the
 * call settles when the settlement does. An error before the stream opens rejects (a 4xx cancels
 * the reservation, anything else books the input); errors after it reach the consumer through the
 * stream and are reported to `options.onSettle`.
 *
 * A stream that is never consumed nor cancelled never settles: its reservation is released when
 * its TTL expires, and nothing is booked.
 * @throws (rejects) the SDK's error, or a KernelError (`BUDGET_EXCEEDED`, `AGENT_NOT_RUNNABLE`,
 *   `UNKNOWN_MODEL`, `ABORTED`, `INVALID_ARGUMENT`)
 */
export function openGovernedStream<S>(
  agent: GovernedAgent,
  request: CallRequest,
  options: GovernOptions,
  signal: AbortSignal | null | undefined,
  open: (
    request: ResolvedCallRequest,
    settlement: StreamSettlement,
    signal: AbortSignal,
  ) => Promise<S>,
): Promise<S> {
  return new Promise<S>((deliver, refuse) => {
    let delivered = false;
    const call = agent.call<null>(
      request,
      (resolved, context) =>
        new Promise((resolve, reject) => {
          const settlement = new StreamSettlement(context, resolve, reject);
          open(resolved, settlement, context.signal).then((stream) => {
            delivered = true;
            deliver(stream);
          }, reject);
        }),
      callOptionsOf(options, signal, { cache: false }),
    );
    call.then(
      (result) => options.onSettle?.({ ok: true, result, stream: true }),
      (error: unknown) => {
        if (!delivered) refuse(error);
        options.onSettle?.({ ok: false, error, stream: true });
      },
    );
  });
}
