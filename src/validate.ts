import { KernelError } from './errors.js';

/** Describes a value for an error message: "`-1` (number)". */
export function describeValue(value: unknown): string {
  let shown: string;
  if (typeof value === 'string')
    shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'function') shown = 'function';
  else if (value !== null && typeof value === 'object') {
    try {
      const json = JSON.stringify(value);
      shown =
        json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
    } catch {
      shown = Object.prototype.toString.call(value);
    }
  } else shown = String(value);
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `\`${shown}\` (${type})`;
}

/** Throws `INVALID_ARGUMENT` with the project's one message format. */
export function invalid(name: string, expected: string, got: unknown): never {
  throw new KernelError(
    'INVALID_ARGUMENT',
    `Expected \`${name}\` to be ${expected}, got ${describeValue(got)}`,
    {
      details: { argument: name },
    },
  );
}

/** A non-negative safe integer: the only valid token count. */
export function isTokenCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Asserts a non-negative safe integer token count. */
export function expectTokens(name: string, value: unknown): number {
  if (!isTokenCount(value)) invalid(name, 'a non-negative safe integer', value);
  return value;
}

/** Asserts a positive safe integer. */
export function expectPositiveInt(name: string, value: unknown): number {
  if (!isTokenCount(value) || value === 0) invalid(name, 'a positive safe integer', value);
  return value;
}

/** Asserts a finite number within [min, max]. */
export function expectNumberIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    invalid(name, `a finite number from ${min} to ${max}`, value);
  }
  return value;
}

/** Asserts a non-empty string of at most 256 characters. */
export function expectId(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    invalid(name, 'a non-empty string of at most 256 characters', value);
  }
  return value;
}

/** Asserts an optional id (undefined passes through). */
export function expectOptionalId(name: string, value: unknown): string | undefined {
  return value === undefined ? undefined : expectId(name, value);
}

/** Asserts one of the given string literals. */
export function expectOneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    invalid(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** Asserts a plain object (not null, not an array). */
export function expectObject(name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    invalid(name, 'an object', value);
  return value as Record<string, unknown>;
}
