import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import {
  AIMessage,
  AIMessageChunk,
  type BaseMessage,
  type UsageMetadata,
} from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';

/** What the fake chat model does. */
export interface UsageChatModelFields {
  readonly model: string;
  readonly maxTokens?: number;
  readonly pieces?: readonly string[];
  /** Reported on the answer (on the last chunk when streaming); absent: no usage at all. */
  readonly usage?: UsageMetadata;
  /** Thrown before the first piece (0) or after `failAfter` pieces have streamed. */
  readonly failWith?: Error;
  readonly failAfter?: number;
  /** Called when the model runs (after the callbacks' start). */
  readonly onRun?: () => void;
}

/**
 * A LangChain chat model that reports `usage_metadata` like the provider integrations do (on
 * the AIMessage; on the final chunk when streaming), declares `ls_model_name`/`ls_max_tokens`,
 * streams through `handleLLMNewToken`, and can fail or stop on its abort signal.
 */
export class UsageChatModel extends BaseChatModel {
  readonly #f: UsageChatModelFields;
  runs = 0;

  constructor(fields: UsageChatModelFields) {
    super({});
    this.#f = fields;
  }

  _llmType(): string {
    return 'usage-fake';
  }

  override invocationParams(): Record<string, unknown> {
    return { model: this.#f.model, max_tokens: this.#f.maxTokens };
  }

  override getLsParams(
    options: this['ParsedCallOptions'],
  ): ReturnType<BaseChatModel['getLsParams']> {
    return {
      ...super.getLsParams(options),
      ls_model_name: this.#f.model,
      ...(this.#f.maxTokens !== undefined && { ls_max_tokens: this.#f.maxTokens }),
    };
  }

  async _generate(_messages: BaseMessage[]): Promise<ChatResult> {
    this.runs++;
    this.#f.onRun?.();
    if (this.#f.failWith !== undefined) throw this.#f.failWith;
    const text = (this.#f.pieces ?? ['ok']).join('');
    const message = new AIMessage(withUsage(text, this.#f.usage));
    return { generations: [{ text, message }] };
  }

  override async *_streamResponseChunks(
    _messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    this.runs++;
    this.#f.onRun?.();
    const pieces = this.#f.pieces ?? ['ok'];
    for (let i = 0; i <= pieces.length; i++) {
      if (this.#f.failWith !== undefined && i === (this.#f.failAfter ?? 0)) throw this.#f.failWith;
      options.signal?.throwIfAborted();
      const piece = pieces[i];
      if (piece === undefined) break;
      yield new ChatGenerationChunk({
        text: piece,
        message: new AIMessageChunk({ content: piece }),
      });
      await runManager?.handleLLMNewToken(piece);
    }
    const last = new AIMessageChunk(withUsage('', this.#f.usage));
    yield new ChatGenerationChunk({ text: '', message: last });
  }
}

/** Message fields with `usage_metadata` (the package's field types infer it as `undefined` here). */
function withUsage(content: string, usage: UsageMetadata | undefined): { content: string } {
  return usage === undefined
    ? { content }
    : ({ content, usage_metadata: usage } as { content: string });
}
