import { invalid, expectId, expectObject } from '../validate.js';
import { isTokenCount } from '../validate.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

/**
 * Checks a governed call's request, invoke function and options.
 * @throws KernelError `INVALID_ARGUMENT` naming the field
 */
export function validateCallRequest(request: unknown, invoke: unknown, options: unknown): void {
  const r = expectObject('request', request);
  if (r['model'] !== undefined) expectId('request.model', r['model']);
  const messages = r['messages'];
  if (!Array.isArray(messages)) invalid('request.messages', 'an array of chat messages', messages);
  messages.forEach((m: unknown, i: number) => {
    const msg = expectObject(`request.messages[${i}]`, m);
    if (typeof msg['role'] !== 'string' || !ROLES.has(msg['role']))
      invalid(`request.messages[${i}].role`, `one of ${[...ROLES].join(', ')}`, msg['role']);
    if (typeof msg['content'] !== 'string')
      invalid(`request.messages[${i}].content`, 'a string', msg['content']);
  });
  if (r['maxOutputTokens'] !== undefined && !isTokenCount(r['maxOutputTokens']))
    invalid('request.maxOutputTokens', 'a non-negative safe integer', r['maxOutputTokens']);
  if (
    r['temperature'] !== undefined &&
    (typeof r['temperature'] !== 'number' ||
      !Number.isFinite(r['temperature']) ||
      r['temperature'] < 0)
  ) {
    invalid('request.temperature', 'a non-negative finite number', r['temperature']);
  }
  if (typeof invoke !== 'function')
    invalid(
      'invoke',
      'a function (request, { signal }) => Promise<{ output, usage?, finishReason? }>',
      invoke,
    );
  const o = expectObject('options', options);
  if (o['signal'] !== undefined && !(o['signal'] instanceof AbortSignal))
    invalid('options.signal', 'an AbortSignal', o['signal']);
  if (o['abortOnStop'] !== undefined && typeof o['abortOnStop'] !== 'boolean')
    invalid('options.abortOnStop', 'a boolean', o['abortOnStop']);
  if (
    o['cache'] !== undefined &&
    o['cache'] !== true &&
    o['cache'] !== false &&
    o['cache'] !== 'force'
  )
    invalid('options.cache', "true, false or 'force'", o['cache']);
  if (o['cacheScope'] !== undefined) expectId('options.cacheScope', o['cacheScope']);
  if (o['downgrade'] !== undefined && o['downgrade'] !== false) {
    for (const [from, to] of Object.entries(expectObject('options.downgrade', o['downgrade'])))
      expectId(`options.downgrade.${from}`, to);
  }
}
