/** Part types that carry binary or remote media: their tokens are not estimated from their bytes. */
const MEDIA_PARTS: ReadonlySet<string> = new Set([
  'image',
  'image_url',
  'input_image',
  'file',
  'input_file',
  'input_audio',
  'audio',
  'document',
  'video',
  'redacted_thinking',
]);

/** Fields whose string value is text the model reads or wrote. */
const TEXT_FIELDS = [
  'text',
  'thinking',
  'refusal',
  'name',
  'toolName',
  'arguments',
  'partial_json',
];
/** Fields that nest more content (strings, parts, or structured JSON). */
const NESTED_FIELDS = ['content', 'output', 'input', 'args', 'value', 'result', 'summary'];
const MAX_DEPTH = 8;

/**
 * The text of a message's content as a provider tokenizes it, for estimates: a string as is;
 * content parts (OpenAI, Anthropic, AI SDK, LangChain) by their text, tool names, tool-call
 * arguments and tool results (structured values as JSON). Media parts (images, files, audio,
 * documents) are left out: their token cost depends on provider rules, not on their bytes, and
 * the provider's reported usage settles the truth.
 */
export function contentText(content: unknown): string {
  const out: string[] = [];
  collect(content, out, 0, false);
  return out.join('\n');
}

function collect(value: unknown, out: string[], depth: number, structured: boolean): void {
  if (depth > MAX_DEPTH || value === null || value === undefined) return;
  if (typeof value === 'string') {
    if (value.length > 0) out.push(value);
    return;
  }
  if (typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    return;
  if (structured) {
    // A tool's structured input or result: the model reads or writes it as JSON.
    out.push(safeJson(value));
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, out, depth + 1, false);
    return;
  }
  const part = value as Record<string, unknown>;
  const type = part['type'];
  if (typeof type === 'string' && MEDIA_PARTS.has(type)) return;
  let found = false;
  for (const field of TEXT_FIELDS) {
    const text = part[field];
    if (typeof text === 'string' && text.length > 0) {
      out.push(text);
      found = true;
    }
  }
  for (const field of NESTED_FIELDS) {
    const nested = part[field];
    if (nested === undefined || nested === null) continue;
    found = true;
    const isParts =
      typeof nested !== 'object' || Array.isArray(nested) || 'type' in (nested as object);
    collect(nested, out, depth + 1, !isParts);
  }
  if (!found && typeof type !== 'string') out.push(safeJson(part));
}

/** JSON without binary payloads (which are never tokenized as text). */
export function safeJson(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) =>
        ArrayBuffer.isView(v) || v instanceof ArrayBuffer ? undefined : v,
      ) ?? ''
    );
  } catch {
    return '';
  }
}
