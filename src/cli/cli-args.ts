import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KernelError } from '../errors.js';
import type { CliIO } from './cli-io.js';

/** Parsed options and positionals of one command. */
export interface ParsedCommand {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: readonly string[];
}

/**
 * Parses a command's arguments strictly. Prints the usage and returns an exit code for `--help`
 * (0) and for an unknown option or a wrong number of positionals (2); else the parsed values.
 */
export function parseCommand(
  command: string,
  usage: string,
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  io: CliIO,
  positionals: { readonly min: number; readonly max: number },
): ParsedCommand | number {
  let parsed: ParsedCommand;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: positionals.max > 0,
      strict: true,
    }) as ParsedCommand;
  } catch (error) {
    io.stderr.write(`token-kernel ${command}: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  if (parsed.values['help'] === true) {
    io.stdout.write(`${usage}\n`);
    return 0;
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    const want =
      positionals.min === positionals.max
        ? `${positionals.min} argument${positionals.min === 1 ? '' : 's'}`
        : `${positionals.min} to ${positionals.max} arguments`;
    io.stderr.write(`token-kernel ${command}: expected ${want}, got ${count}\n${usage}\n`);
    return 2;
  }
  return parsed;
}

/** A string option's value, if given. */
export function stringOption(values: ParsedCommand['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * An integer option of at least `min`.
 * @throws KernelError `INVALID_ARGUMENT` naming the flag
 */
export function intOption(
  name: string,
  value: string | undefined,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    throw new KernelError(
      'INVALID_ARGUMENT',
      `Expected \`--${name}\` to be an integer of at least ${min}, got \`${value}\``,
    );
  }
  return n;
}

/**
 * A positive finite number option.
 * @throws KernelError `INVALID_ARGUMENT` naming the flag
 */
export function positiveOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new KernelError(
      'INVALID_ARGUMENT',
      `Expected \`--${name}\` to be a positive number, got \`${value}\``,
    );
  }
  return n;
}

/**
 * One of the allowed values.
 * @throws KernelError `INVALID_ARGUMENT` naming the flag
 */
export function choiceOption<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new KernelError(
      'INVALID_ARGUMENT',
      `Expected \`--${name}\` to be one of ${allowed.join(', ')}, got \`${value}\``,
    );
  }
  return value as T;
}
