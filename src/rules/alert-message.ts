import type { RuleMetric } from './rule-spec.js';

/** The placeholders a rule message may use. */
export const ALERT_PLACEHOLDERS = [
  'rule',
  'severity',
  'action',
  'metric',
  'scope',
  'key',
  'period',
  'periodKey',
  'op',
  'value',
  'threshold',
  'limit',
  'targets',
] as const;

/** One placeholder name. */
export type AlertPlaceholder = (typeof ALERT_PLACEHOLDERS)[number];

const PATTERN = /\{\{|\}\}|\{([^{}]*)\}/g;
const KNOWN = new Set<string>(ALERT_PLACEHOLDERS);

/**
 * The first problem with a message template, or undefined when it is valid: an unknown
 * placeholder, or a lone brace (write `{{`/`}}` for literal braces).
 */
export function templateProblem(template: string): string | undefined {
  for (const match of template.matchAll(PATTERN)) {
    const name = match[1];
    if (name !== undefined && !KNOWN.has(name))
      return `unknown placeholder {${name}} (known: ${ALERT_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`;
  }
  const rest = template.replace(PATTERN, '');
  if (rest.includes('{') || rest.includes('}'))
    return 'an unmatched brace (write {{ or }} for a literal brace)';
  return undefined;
}

/** Fills a validated template; every placeholder is in `values`. */
export function renderTemplate(
  template: string,
  values: Readonly<Record<AlertPlaceholder, string>>,
): string {
  return template.replace(PATTERN, (whole, name: string | undefined) => {
    if (name === undefined) return whole[0]!;
    return values[name as AlertPlaceholder];
  });
}

/** A metric's value for people: `12,345 tokens`, `$1.2345`, `850.5 tokens/min`. */
export function formatMetric(metric: RuleMetric, value: number): string {
  switch (metric) {
    case 'usd':
    case 'forecast':
      return formatUsd(value);
    case 'rate':
      return `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })} tokens/min`;
    default:
      return `${value.toLocaleString('en-US', { maximumFractionDigits: 2 })} tokens`;
  }
}

/** USD with cents, or four decimals below one dollar. */
function formatUsd(usd: number): string {
  const digits = Math.abs(usd) < 1 ? 4 : 2;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
}
