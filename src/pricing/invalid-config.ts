import { KernelError } from '../errors.js';
import { describeValue } from '../validate.js';

/**
 * Throws `INVALID_CONFIG` with the project's one message format:
 * "Expected `prices["gpt-4o"].input` to be …, got `-1` (number)".
 */
export function invalidConfig(
  name: string,
  expected: string,
  got: unknown,
  details: Readonly<Record<string, unknown>> = {},
): never {
  throw new KernelError(
    'INVALID_CONFIG',
    `Expected \`${name}\` to be ${expected}, got ${describeValue(got)}`,
    { details: { argument: name, ...details } },
  );
}

/** The path of a field inside a keyed table: `prices["gpt-4o"].input`. */
export function fieldPath(table: string, key: string, field?: string): string {
  const entry = `${table}[${JSON.stringify(key)}]`;
  return field === undefined ? entry : `${entry}.${field}`;
}
