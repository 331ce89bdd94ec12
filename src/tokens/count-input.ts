import { invalid } from '../validate.js';
import type { ChatMessage } from './chat-message.js';

const ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

function expectString(name: string, value: unknown): void {
  if (typeof value !== 'string') invalid(name, 'a string', value);
}

function expectOptionalString(name: string, value: unknown): void {
  if (value !== undefined) expectString(name, value);
}

function expectRecord(name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    invalid(name, 'an object', value);
  }
  return value as Record<string, unknown>;
}

function expectMessage(name: string, value: unknown): void {
  const message = expectRecord(name, value);
  if (typeof message.role !== 'string' || !ROLES.has(message.role)) {
    invalid(`${name}.role`, `one of ${[...ROLES].map((r) => `'${r}'`).join(', ')}`, message.role);
  }
  expectString(`${name}.content`, message.content);
  expectOptionalString(`${name}.name`, message.name);
  expectOptionalString(`${name}.tool_call_id`, message.tool_call_id);
  if (message.tool_calls === undefined) return;
  if (!Array.isArray(message.tool_calls)) {
    invalid(`${name}.tool_calls`, 'an array', message.tool_calls);
  }
  message.tool_calls.forEach((value: unknown, i) => {
    const at = `${name}.tool_calls[${i}]`;
    const call = expectRecord(at, value);
    expectString(`${at}.id`, call.id);
    const fn = expectRecord(`${at}.function`, call.function);
    expectString(`${at}.function.name`, fn.name);
    expectString(`${at}.function.arguments`, fn.arguments);
  });
}

/**
 * Asserts what `count` accepts: a string, or an array of {@link ChatMessage}.
 * @throws KernelError `INVALID_ARGUMENT` naming the first bad field (`input[2].content`)
 */
export function expectCountInput(value: unknown): string | readonly ChatMessage[] {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) invalid('input', 'a string or an array of chat messages', value);
  value.forEach((message: unknown, i) => expectMessage(`input[${i}]`, message));
  return value as readonly ChatMessage[];
}
