import type { Anthropic } from '@anthropic-ai/sdk';
import type { Stream } from '@anthropic-ai/sdk/core/streaming';
import type {
  Message,
  MessageCreateParamsBase,
  MessageCreateParamsNonStreaming,
  MessageCreateParamsStreaming,
  RawMessageStreamEvent,
} from '@anthropic-ai/sdk/resources/messages/messages';
import type { GovernedAgent } from '../agents/governed-agent.js';
import { fromAnthropic, mergeAnthropicStreamUsage } from '../pricing/adapters/from-anthropic.js';
import { expectObject, invalid } from '../validate.js';
import { validateGovernOptions, type GovernOptions } from './adapter-options.js';
import {
  anthropicBody,
  anthropicFinish,
  anthropicMessages,
  anthropicText,
} from './anthropic-shapes.js';
import { callRequestOf, tokenCount } from './call-request.js';
import type { ReplyShape } from './governed-call.js';
import { governSdkCall } from './sdk-call.js';
import type { StreamSettlement } from './stream-settlement.js';
import { tryUsage } from './try-usage.js';

/** The Anthropic SDK's per-request options (`signal`, `timeout`, `headers`, …). */
export type AnthropicRequestOptions = NonNullable<Parameters<Anthropic['messages']['create']>[1]>;

/** Options of {@link governAnthropic}. */
export type GovernAnthropicOptions = GovernOptions;

/** `messages.create` of a governed client. */
export interface GovernedAnthropicMessages {
  create(
    body: MessageCreateParamsNonStreaming,
    options?: AnthropicRequestOptions,
  ): Promise<Message>;
  create(
    body: MessageCreateParamsStreaming,
    options?: AnthropicRequestOptions,
  ): Promise<Stream<RawMessageStreamEvent>>;
  create(
    body: MessageCreateParamsBase,
    options?: AnthropicRequestOptions,
  ): Promise<Stream<RawMessageStreamEvent> | Message>;
}

/** An Anthropic client whose calls are governed by one agent. */
export interface GovernedAnthropic {
  readonly messages: GovernedAnthropicMessages;
}

type Body = Readonly<Record<string, unknown>>;

const MESSAGE_REPLY: ReplyShape = {
  text: anthropicText,
  usage: (message) => tryUsage(fromAnthropic, (message as Body | null)?.['usage']),
  finish: anthropicFinish,
};

/**
 * Wraps an Anthropic client so that every `messages.create` call is governed by `agent`: the
 * input (system, messages, tools) is estimated with the kernel's calibrated margin (Claude has no
 * public tokenizer), input + `max_tokens` reserved with `max_tokens` lowered to what every budget
 * can pay (and an extended-thinking budget with it), the response cache consulted
 * (non-streaming), and Anthropic's usage committed in the inclusive shape — `input_tokens` plus
 * cache reads and cache writes, so cached prompts are neither dropped nor double-counted.
 * Streams settle on `message_stop` with `message_start`'s input usage merged with the last
 * cumulative `message_delta`; a stream that ends early, errors (an `overloaded_error` event) or is
 * aborted after `message_start` settles with Anthropic's reported input and the output seen; one
 * that fails before it settles as the kernel classifies the error (4xx: cancelled; else input).
 * The client is only called, never imported: the SDK stays an optional peer.
 * @throws KernelError `INVALID_ARGUMENT` when `client` is not an Anthropic client or an option is
 *   bad; each call rejects with the SDK's error or a KernelError (`BUDGET_EXCEEDED`,
 *   `AGENT_NOT_RUNNABLE`, `UNKNOWN_MODEL`, `ABORTED`)
 * @example
 * const claude = governAnthropic(new Anthropic(), agent);
 * const msg = await claude.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages });
 */
export function governAnthropic(
  client: Anthropic,
  agent: GovernedAgent,
  options: GovernAnthropicOptions = {},
): GovernedAnthropic {
  const c = expectObject('client', client) as unknown as Anthropic;
  if (typeof c.messages?.create !== 'function')
    invalid('client', 'an Anthropic client (with `messages.create`)', client);
  validateGovernOptions(options);
  const create = (body: Body, requestOptions?: AnthropicRequestOptions): Promise<unknown> =>
    createMessage(c, agent, options, body, requestOptions);
  return { messages: { create: create as unknown as GovernedAnthropicMessages['create'] } };
}

function createMessage(
  client: Anthropic,
  agent: GovernedAgent,
  options: GovernAnthropicOptions,
  body: Body,
  requestOptions: AnthropicRequestOptions | undefined,
): Promise<unknown> {
  expectObject('body', body);
  const request = callRequestOf(body, {
    model: body['model'],
    messages: anthropicMessages(body),
    maxOutputTokens: tokenCount(body['max_tokens']),
  });
  const create = client.messages.create.bind(client.messages) as unknown as (
    body: Body,
    options: AnthropicRequestOptions,
  ) => Promise<unknown>;
  return governSdkCall({
    agent,
    request,
    options,
    requestOptions,
    create,
    streaming: body['stream'] === true,
    body: (model, maxOutputTokens) => anthropicBody(body, model, maxOutputTokens),
    reply: MESSAGE_REPLY,
    observe: (settlement) => messageObserver(settlement),
  });
}

/** Follows one streamed message: input usage from the start, cumulative usage from each delta. */
function messageObserver(settlement: StreamSettlement): (event: RawMessageStreamEvent) => void {
  let start: unknown;
  let last: unknown;
  const merged = (): ReturnType<typeof fromAnthropic> | undefined =>
    last === undefined
      ? tryUsage(fromAnthropic, start)
      : tryUsage((s) => mergeAnthropicStreamUsage(s, last), start);
  return (event) => {
    switch (event.type) {
      case 'message_start':
        start = event.message.usage;
        settlement.reported(merged());
        break;
      case 'content_block_start': {
        const block = event.content_block as unknown as Body;
        settlement.text(block['text']);
        settlement.text(block['thinking']);
        settlement.text(block['name']);
        break;
      }
      case 'content_block_delta': {
        const delta = event.delta as unknown as Body;
        settlement.text(delta['text']);
        settlement.text(delta['partial_json']);
        settlement.text(delta['thinking']);
        break;
      }
      case 'message_delta':
        last = event.usage;
        settlement.finishReason(event.delta.stop_reason);
        settlement.reported(merged());
        break;
      case 'message_stop':
        settlement.finish(merged());
        break;
    }
  };
}
