import { createHash } from 'node:crypto';
import { expectId, expectObject } from '../validate.js';
import { canonicalJson } from './canonical-json.js';

/**
 * Top-level request parameters left out of cache keys because they cannot change what the model
 * outputs: transport (`stream`, `stream_options`/`streamOptions`, `signal`/`abortSignal`,
 * `timeout`, `maxRetries`/`max_retries`), attribution and storage (`user`,
 * `safety_identifier`/`safetyIdentifier`, `metadata`, `store`, `experimental_telemetry`) and
 * provider prompt caching (`prompt_cache_key`/`promptCacheKey`,
 * `prompt_cache_retention`/`promptCacheRetention`). Every other parameter is keyed.
 */
export const CACHE_KEY_IGNORED_PARAMS: readonly string[] = Object.freeze([
  'stream',
  'stream_options',
  'streamOptions',
  'signal',
  'abortSignal',
  'timeout',
  'maxRetries',
  'max_retries',
  'user',
  'safety_identifier',
  'safetyIdentifier',
  'metadata',
  'store',
  'experimental_telemetry',
  'prompt_cache_key',
  'promptCacheKey',
  'prompt_cache_retention',
  'promptCacheRetention',
]);

const IGNORED = new Set(CACHE_KEY_IGNORED_PARAMS);

/** Bumped whenever the canonical form changes, so old keys can never match new requests. */
const KEY_VERSION = 1;

/**
 * The response-cache key of a request: sha256 (lower-case hex) of the canonical JSON of the
 * request's output-affecting parameters plus the tenant scope.
 *
 * Keyed: `model` (pass the resolved model id, after aliases), `messages`/`input`/`prompt`/
 * `system`/`instructions`, `tools`, `tool_choice`/`toolChoice`, `response_format`/
 * `responseFormat`, `temperature`, `top_p`/`topP`, `top_k`/`topK`, the max-token parameters
 * (`max_tokens`, `max_completion_tokens`, `max_output_tokens`, `maxOutputTokens`, `maxTokens`),
 * `stop`/`stop_sequences`/`stopSequences`, `seed`, `n`, reasoning settings (`reasoning`,
 * `reasoning_effort`, `thinking`, `providerOptions`), penalties, `logit_bias`, `logprobs`,
 * `parallel_tool_calls`, `headers` — and any parameter not listed in
 * {@link CACHE_KEY_IGNORED_PARAMS}, because a needless miss costs one call while a wrong hit
 * returns another request's answer. Names are not normalised across SDKs (`max_tokens` and
 * `maxOutputTokens` key differently).
 *
 * An omitted (or `undefined`) parameter is keyed as absent, never as a provider default
 * (OpenAI's default temperature is 1, not 0); `null` is keyed as `null`. Key order never
 * matters. See {@link canonicalJson} for values that are refused.
 * @param scope tenant scope (user, team, API key id…): equal requests in different scopes get
 *   different keys. Omitted: one shared scope.
 * @example
 * const key = cacheKey({ model: 'gpt-4o-mini', messages, temperature: 0 }, `tenant:${tenantId}`);
 * @throws KernelError `INVALID_ARGUMENT` when `request` is not an object, `request.model` is not
 *   a non-empty string, `scope` is not a non-empty string, or a value has no faithful JSON form.
 */
export function cacheKey(request: Record<string, unknown>, scope?: string): string {
  const r = expectObject('request', request);
  expectId('request.model', r['model']);
  if (scope !== undefined) expectId('scope', scope);
  const keyed: Record<string, unknown> = {};
  for (const name of Object.keys(r)) {
    if (!IGNORED.has(name)) keyed[name] = r[name];
  }
  const scoped = scope === undefined ? '' : JSON.stringify(scope);
  return createHash('sha256')
    .update(`${KEY_VERSION}\n${scoped}\n${canonicalJson(keyed, 'request')}`)
    .digest('hex');
}
