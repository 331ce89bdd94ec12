/** A chat message as token-kernel counts, compresses and caches it (OpenAI's shape). */
export interface ChatMessage {
  readonly role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  readonly content: string;
  readonly name?: string;
  /** Tool calls an assistant message makes; each pairs with a `tool` message of the same id. */
  readonly tool_calls?: readonly ToolCall[];
  /** On a `tool` message: the id of the call it answers. */
  readonly tool_call_id?: string;
}

/** One tool call inside an assistant message. */
export interface ToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}
