import { fieldPath, invalidConfig } from './invalid-config.js';
import { nameCandidates } from './model-name.js';
import type { RatesPerMTok, TierRatesPerMTok } from './resolved-price.js';

/** The highest accepted rate, in USD per million tokens. */
export const MAX_RATE_PER_MTOK = 10_000;

/** Rates that apply when a call's total input exceeds `aboveInputTokens`. USD per million tokens. */
export interface PriceTier {
  /** Non-negative safe integer; thresholds strictly increase along `tiers`. */
  readonly aboveInputTokens: number;
  readonly input: number;
  readonly output: number;
  /** @default this tier's `input` */
  readonly cacheRead?: number;
  /** @default this tier's `input` */
  readonly cacheWrite?: number;
}

/** One model's price in a user price table. Rates in USD per million tokens, 0 to 10,000. */
export interface PriceEntry {
  /** Uncached input tokens. */
  readonly input: number;
  /** Output tokens, reasoning included. */
  readonly output: number;
  /** Input tokens read from the provider's prompt cache. @default `input` */
  readonly cacheRead?: number;
  /** Input tokens written to the provider's prompt cache. @default `input` */
  readonly cacheWrite?: number;
  /**
   * A regular expression source matched (case-insensitively, unanchored: use `^…$`) against the
   * full model name when no key or alias equals it.
   */
  readonly match?: string;
  /** Other names of the same model (compared case-insensitively). */
  readonly aliases?: readonly string[];
  /** Long-context tiers, ascending by `aboveInputTokens`. */
  readonly tiers?: readonly PriceTier[];
}

/** A user price table (JSON-able): model id → price. Entries win over the genai-prices defaults. */
export type PriceTableInput = Readonly<Record<string, PriceEntry>>;

/** A validated entry of a {@link PriceTable}. */
export interface PriceTableEntry {
  readonly id: string;
  readonly base: RatesPerMTok;
  readonly tiers: readonly TierRatesPerMTok[];
}

const ENTRY_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'match', 'aliases', 'tiers'];
const TIER_FIELDS = ['aboveInputTokens', 'input', 'output', 'cacheRead', 'cacheWrite'];

/**
 * A validated user price table. Lookup order: a key or alias equal to the name (ignoring case),
 * then to the name without its provider prefixes (`openai/gpt-4o` → `gpt-4o`), then the first
 * entry (in table order) whose `match` pattern matches the full name.
 */
export class PriceTable {
  readonly #byName = new Map<string, PriceTableEntry>();
  readonly #patterns: { readonly pattern: RegExp; readonly entry: PriceTableEntry }[] = [];
  readonly #entries: PriceTableEntry[] = [];

  /**
   * @param input a {@link PriceTableInput}
   * @param name the option's name, used in error messages
   * @throws KernelError `INVALID_CONFIG` naming the model and field
   */
  constructor(input: unknown, name = 'prices') {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      invalidConfig(name, 'an object of model id → price', input);
    }
    for (const [id, raw] of Object.entries(input as Record<string, unknown>)) {
      if (id.length === 0 || id.length > 256) {
        invalidConfig(`${name} key`, 'a model id of 1 to 256 characters', id);
      }
      this.#add(id, raw, name);
    }
  }

  /** Every entry, in table order. */
  get entries(): readonly PriceTableEntry[] {
    return this.#entries;
  }

  /** The entry pricing `model`, if any. */
  lookup(model: string): PriceTableEntry | undefined {
    for (const candidate of nameCandidates(model)) {
      const entry = this.#byName.get(candidate.toLowerCase());
      if (entry !== undefined) return entry;
    }
    for (const { pattern, entry } of this.#patterns) if (pattern.test(model)) return entry;
    return undefined;
  }

  #add(id: string, raw: unknown, table: string): void {
    const at = (field?: string): string => fieldPath(table, id, field);
    const details = { model: id };
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      invalidConfig(
        at(),
        'a price object ({ input, output, … } in USD per million tokens)',
        raw,
        details,
      );
    }
    const e = raw as Record<string, unknown>;
    rejectUnknown(e, ENTRY_FIELDS, at, details);
    const input = rate(e['input'], at('input'), details);
    const base: RatesPerMTok = {
      input,
      output: rate(e['output'], at('output'), details),
      cacheRead:
        e['cacheRead'] === undefined ? input : rate(e['cacheRead'], at('cacheRead'), details),
      cacheWrite:
        e['cacheWrite'] === undefined ? input : rate(e['cacheWrite'], at('cacheWrite'), details),
    };
    const entry: PriceTableEntry = Object.freeze({
      id,
      base: Object.freeze(base),
      tiers: Object.freeze(tiersOf(e['tiers'], at('tiers'), details)),
    });
    this.#claim(id, at(), entry);
    if (e['aliases'] !== undefined) {
      if (!Array.isArray(e['aliases'])) {
        invalidConfig(at('aliases'), 'an array of model names', e['aliases'], details);
      }
      (e['aliases'] as unknown[]).forEach((alias, i) => {
        if (typeof alias !== 'string' || alias.length === 0 || alias.length > 256) {
          invalidConfig(at(`aliases[${i}]`), 'a model name of 1 to 256 characters', alias, details);
        }
        this.#claim(alias, at(`aliases[${i}]`), entry);
      });
    }
    if (e['match'] !== undefined) {
      const source = e['match'];
      if (typeof source !== 'string' || source.length === 0 || source.length > 1000) {
        invalidConfig(
          at('match'),
          'a regular expression source of 1 to 1000 characters',
          source,
          details,
        );
      }
      let pattern: RegExp;
      try {
        pattern = new RegExp(source, 'i');
      } catch (cause) {
        invalidConfig(
          at('match'),
          `a valid regular expression (${String(cause)})`,
          source,
          details,
        );
      }
      this.#patterns.push({ pattern, entry });
    }
    this.#entries.push(entry);
  }

  #claim(name: string, path: string, entry: PriceTableEntry): void {
    const key = name.toLowerCase();
    const owner = this.#byName.get(key);
    if (owner !== undefined) {
      invalidConfig(path, `a name no other entry uses (\`${owner.id}\` has it)`, name, {
        model: entry.id,
      });
    }
    this.#byName.set(key, entry);
  }
}

function rate(value: unknown, path: string, details: Record<string, unknown>): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_RATE_PER_MTOK
  ) {
    invalidConfig(
      path,
      `a finite number from 0 to ${MAX_RATE_PER_MTOK} (USD per million tokens)`,
      value,
      details,
    );
  }
  return value;
}

function rejectUnknown(
  object: Record<string, unknown>,
  known: readonly string[],
  at: (field: string) => string,
  details: Record<string, unknown>,
): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      invalidConfig(at(key), `absent (known fields: ${known.join(', ')})`, object[key], details);
    }
  }
}

function tiersOf(
  value: unknown,
  path: string,
  details: Record<string, unknown>,
): TierRatesPerMTok[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 32) {
    invalidConfig(path, 'an array of at most 32 tiers', value, details);
  }
  const tiers: TierRatesPerMTok[] = [];
  (value as unknown[]).forEach((raw, i) => {
    const at = (field?: string): string =>
      field === undefined ? `${path}[${i}]` : `${path}[${i}].${field}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      invalidConfig(at(), 'a tier object ({ aboveInputTokens, input, output, … })', raw, details);
    }
    const t = raw as Record<string, unknown>;
    rejectUnknown(t, TIER_FIELDS, at, details);
    const above = t['aboveInputTokens'];
    const previous = tiers.at(-1)?.aboveInputTokens ?? -1;
    if (typeof above !== 'number' || !Number.isSafeInteger(above) || above <= previous) {
      invalidConfig(
        at('aboveInputTokens'),
        previous < 0
          ? 'a non-negative safe integer'
          : `a safe integer greater than the previous tier's (${previous})`,
        above,
        details,
      );
    }
    const input = rate(t['input'], at('input'), details);
    tiers.push(
      Object.freeze({
        aboveInputTokens: above,
        input,
        output: rate(t['output'], at('output'), details),
        cacheRead:
          t['cacheRead'] === undefined ? input : rate(t['cacheRead'], at('cacheRead'), details),
        cacheWrite:
          t['cacheWrite'] === undefined ? input : rate(t['cacheWrite'], at('cacheWrite'), details),
      }),
    );
  });
  return tiers;
}
