import type { OpenAI } from 'openai';
import type { Stream } from 'openai/core/streaming';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type {
  Response,
  ResponseCreateParamsBase,
  ResponseCreateParamsNonStreaming,
  ResponseCreateParamsStreaming,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import type { GovernedAgent } from '../agents/governed-agent.js';
import { fromOpenAI } from '../pricing/adapters/from-openai.js';
import { expectObject, invalid } from '../validate.js';
import { validateGovernOptions, type GovernOptions } from './adapter-options.js';
import { callRequestOf, positiveInt, tokenCount } from './call-request.js';
import type { ReplyShape } from './governed-call.js';
import type { Usage } from '../usage.js';
import { governSdkCall } from './sdk-call.js';
import {
  openAIChatFinish,
  openAIChatMessages,
  openAIChatText,
  openAIResponseFinish,
  openAIResponsesMessages,
  openAIResponseText,
} from './openai-shapes.js';
import type { StreamSettlement } from './stream-settlement.js';
import { tryUsage } from './try-usage.js';

/** The OpenAI SDK's per-request options (`signal`, `timeout`, `headers`, …). */
export type OpenAIRequestOptions = NonNullable<
  Parameters<OpenAI['chat']['completions']['create']>[1]
>;

/** Options of {@link governOpenAI}. */
export interface GovernOpenAIOptions extends GovernOptions {
  /**
   * Add `stream_options: { include_usage: true }` to streamed chat completions, so the final
   * chunk carries usage. Turn off only for compatible servers that reject the option; their
   * streams settle with an estimate (input + output seen). @default true
   */
  readonly includeUsage?: boolean;
}

/** `chat.completions.create` of a governed client. */
export interface GovernedChatCompletions {
  create(
    body: ChatCompletionCreateParamsNonStreaming,
    options?: OpenAIRequestOptions,
  ): Promise<ChatCompletion>;
  create(
    body: ChatCompletionCreateParamsStreaming,
    options?: OpenAIRequestOptions,
  ): Promise<Stream<ChatCompletionChunk>>;
  create(
    body: ChatCompletionCreateParamsBase,
    options?: OpenAIRequestOptions,
  ): Promise<Stream<ChatCompletionChunk> | ChatCompletion>;
}

/** `responses.create` of a governed client. */
export interface GovernedResponses {
  create(body: ResponseCreateParamsNonStreaming, options?: OpenAIRequestOptions): Promise<Response>;
  create(
    body: ResponseCreateParamsStreaming,
    options?: OpenAIRequestOptions,
  ): Promise<Stream<ResponseStreamEvent>>;
  create(
    body: ResponseCreateParamsBase,
    options?: OpenAIRequestOptions,
  ): Promise<Stream<ResponseStreamEvent> | Response>;
}

/** An OpenAI client whose calls are governed by one agent. */
export interface GovernedOpenAI {
  readonly chat: { readonly completions: GovernedChatCompletions };
  readonly responses: GovernedResponses;
}

type Body = Readonly<Record<string, unknown>>;

const usageOf = (response: unknown): Usage | undefined =>
  tryUsage(fromOpenAI, (response as Body | null)?.['usage']);
const CHAT_REPLY: ReplyShape = { text: openAIChatText, usage: usageOf, finish: openAIChatFinish };
const RESPONSE_REPLY: ReplyShape = {
  text: openAIResponseText,
  usage: usageOf,
  finish: openAIResponseFinish,
};

/**
 * Wraps an OpenAI client so that every `chat.completions.create` and `responses.create` call is
 * governed by `agent`: the input is counted, input + output reserved with the output cap
 * (`max_completion_tokens`, or `max_tokens` when the request uses it; `max_output_tokens` for
 * responses) lowered to what every budget can pay — or set to the kernel's learned estimate when
 * the request has none —, the response cache consulted (non-streaming), and the provider's usage
 * committed, cache reads and reasoning included. Streams get `stream_options.include_usage` and
 * settle on the final usage chunk (`response.completed` for responses); a stream that ends early,
 * is aborted or breaks settles with the input and the output seen (never $0); a 4xx before the
 * model ran cancels the reservation; a 5xx books the input. With `n` > 1, the reservation covers
 * every choice. The client is only called, never imported: the SDK stays an optional peer.
 *
 * `previous_response_id`/`conversation` history lives on OpenAI's side and is not in the
 * reservation's input count; the committed usage (OpenAI's) is exact regardless.
 * @throws KernelError `INVALID_ARGUMENT` when `client` is not an OpenAI client or an option is bad;
 *   each call rejects with the SDK's error or a KernelError (`BUDGET_EXCEEDED`,
 *   `AGENT_NOT_RUNNABLE`, `UNKNOWN_MODEL`, `ABORTED`)
 * @example
 * const openai = governOpenAI(new OpenAI(), kernel.spawn({ id: 'writer', maxTokens: 50_000 }));
 * const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
 * for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
 */
export function governOpenAI(
  client: OpenAI,
  agent: GovernedAgent,
  options: GovernOpenAIOptions = {},
): GovernedOpenAI {
  const c = expectObject('client', client) as unknown as OpenAI;
  if (typeof c.chat?.completions?.create !== 'function')
    invalid('client', 'an OpenAI client (with `chat.completions.create`)', client);
  validateGovernOptions(options);
  if (options.includeUsage !== undefined && typeof options.includeUsage !== 'boolean')
    invalid('options.includeUsage', 'a boolean', options.includeUsage);
  const chat = (body: Body, requestOptions?: OpenAIRequestOptions): Promise<unknown> =>
    createChat(c, agent, options, body, requestOptions);
  const responses = (body: Body, requestOptions?: OpenAIRequestOptions): Promise<unknown> =>
    createResponse(c, agent, options, body, requestOptions);
  return {
    chat: { completions: { create: chat as unknown as GovernedChatCompletions['create'] } },
    responses: { create: responses as unknown as GovernedResponses['create'] },
  };
}

function createChat(
  client: OpenAI,
  agent: GovernedAgent,
  options: GovernOpenAIOptions,
  body: Body,
  requestOptions: OpenAIRequestOptions | undefined,
): Promise<unknown> {
  expectObject('body', body);
  const n = positiveInt(body['n']) ?? 1;
  const field =
    tokenCount(body['max_completion_tokens']) === undefined &&
    tokenCount(body['max_tokens']) !== undefined
      ? 'max_tokens'
      : 'max_completion_tokens';
  const declared = tokenCount(body[field]);
  const request = callRequestOf(body, {
    model: body['model'],
    messages: openAIChatMessages(body['messages'], body['tools']),
    maxOutputTokens: declared === undefined ? undefined : declared * n,
  });
  const create = client.chat.completions.create.bind(client.chat.completions) as unknown as (
    body: Body,
    options: OpenAIRequestOptions,
  ) => Promise<unknown>;
  return governSdkCall({
    agent,
    request,
    options,
    requestOptions,
    create,
    streaming: body['stream'] === true,
    body: (model, maxOutputTokens, streaming) => {
      const sent: Record<string, unknown> = {
        ...body,
        model,
        // The reservation covers every choice: each gets an equal share of the cap.
        [field]: Math.max(1, Math.floor(maxOutputTokens / n)),
      };
      if (streaming && options.includeUsage !== false) {
        const current = body['stream_options'];
        sent['stream_options'] = {
          ...(current !== null && typeof current === 'object' ? current : {}),
          include_usage: true,
        };
      }
      return sent;
    },
    reply: CHAT_REPLY,
    observe: (settlement) => (chunk: ChatCompletionChunk) => observeChatChunk(chunk, settlement),
  });
}

function observeChatChunk(chunk: ChatCompletionChunk, settlement: StreamSettlement): void {
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta as Body | undefined;
    settlement.text(delta?.['content']);
    settlement.text(delta?.['refusal']);
    // DeepSeek-style reasoning streamed next to the content.
    settlement.text(delta?.['reasoning_content']);
    for (const call of choice.delta?.tool_calls ?? []) {
      settlement.text(call.function?.name);
      settlement.text(call.function?.arguments);
    }
    settlement.finishReason(choice.finish_reason);
  }
  if (chunk.usage !== undefined && chunk.usage !== null)
    settlement.finish(tryUsage(fromOpenAI, chunk.usage));
}

function createResponse(
  client: OpenAI,
  agent: GovernedAgent,
  options: GovernOpenAIOptions,
  body: Body,
  requestOptions: OpenAIRequestOptions | undefined,
): Promise<unknown> {
  expectObject('body', body);
  if (typeof client.responses?.create !== 'function')
    invalid('client', 'an OpenAI client with `responses.create`', client);
  const request = callRequestOf(body, {
    model: body['model'],
    messages: openAIResponsesMessages(body),
    maxOutputTokens: tokenCount(body['max_output_tokens']),
  });
  const create = client.responses.create.bind(client.responses) as unknown as (
    body: Body,
    options: OpenAIRequestOptions,
  ) => Promise<unknown>;
  return governSdkCall({
    agent,
    request,
    options,
    requestOptions,
    create,
    streaming: body['stream'] === true,
    body: (model, maxOutputTokens) => ({ ...body, model, max_output_tokens: maxOutputTokens }),
    reply: RESPONSE_REPLY,
    observe: (settlement) => (event: ResponseStreamEvent) =>
      observeResponseEvent(event, settlement),
  });
}

const FINAL_EVENTS: ReadonlySet<string> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

function observeResponseEvent(event: ResponseStreamEvent, settlement: StreamSettlement): void {
  const e = event as unknown as Body;
  const type = e['type'];
  if (typeof type !== 'string') return;
  // Every text-like delta is output; `response.audio.delta` is base64 audio, not text.
  if (type.endsWith('.delta') && type !== 'response.audio.delta') settlement.text(e['delta']);
  if (FINAL_EVENTS.has(type)) {
    const response = e['response'] as Body | undefined;
    settlement.finish(tryUsage(fromOpenAI, response?.['usage']), openAIResponseFinish(response));
  }
}
