import type { UsageRow } from '../budget/ledger.js';
import type { PeriodKind } from '../budget/limit-spec.js';
import { isKernelError } from '../errors.js';
import type { Pricing } from '../pricing/pricing.js';
import type { ResolvedPrice } from '../pricing/resolved-price.js';
import type { KernelEngine } from './kernel-engine.js';

/** Share of spend above which one agent is named as an opportunity. */
const HOT_AGENT_SHARE = 0.3;

/** Less spend history than this makes a daily projection noise, so the report withholds it. */
const MIN_FORECAST_HISTORY_MS = 10 * 60_000;

/** Name rewrites that lead from a model to its cheaper siblings, tried in order. */
const SIBLING_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(gpt-4o|gpt-4\.1|gpt-5|o3|o4|o1)(-\d{4}-\d{2}-\d{2})?$/, '$1-mini'],
  [/^(gpt-4\.1|gpt-5)(-\d{4}-\d{2}-\d{2})?$/, '$1-nano'],
  [/^(gpt-4\.1|gpt-5)-mini(-\d{4}-\d{2}-\d{2})?$/, '$1-nano'],
  [/opus/, 'sonnet'],
  [/sonnet/, 'haiku'],
  [/-pro\b/, '-flash'],
  [/-flash\b(?!-lite)/, '-flash-lite'],
];

/** USD with enough digits for small sums. */
export function usd(nano: number): string {
  const v = nano / 1e9;
  return `$${v >= 100 ? v.toFixed(2) : v >= 1 ? v.toFixed(4) : v.toFixed(6)}`;
}

function n(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** A blended price per token (output-weighted 1:3 input:output, as chat traffic tends to be). */
function blended(p: ResolvedPrice): number {
  return (3 * p.inputNano + p.outputNano) / 4;
}

/** The cheapest priced sibling of `model` found by the rules, if it is cheaper. */
export function cheaperSibling(
  pricing: Pricing,
  model: string,
): { model: string; saving: number } | undefined {
  let current: ResolvedPrice;
  try {
    current = pricing.resolve(model);
  } catch {
    return undefined;
  }
  let best: { model: string; saving: number } | undefined;
  for (const [pattern, replacement] of SIBLING_RULES) {
    if (!pattern.test(model)) continue;
    const candidate = model.replace(pattern, replacement);
    if (candidate === model) continue;
    try {
      const price = pricing.resolve(candidate);
      if (price.source.startsWith('fallback')) continue;
      const saving = 1 - blended(price) / blended(current);
      if (saving > 0.05 && (best === undefined || saving > best.saving))
        best = { model: candidate, saving };
    } catch (error) {
      if (!isKernelError(error, 'UNKNOWN_MODEL')) throw error;
    }
  }
  return best;
}

function table(title: string, rows: readonly UsageRow[], totalNano: number, limit = 10): string[] {
  if (rows.length === 0) return [];
  const out = [`${title}:`];
  const width = Math.max(...rows.slice(0, limit).map((r) => r.key.length), 4);
  for (const r of rows.slice(0, limit)) {
    const share = totalNano > 0 ? `${((100 * r.costNano) / totalNano).toFixed(1)}%` : '-';
    out.push(
      `  ${r.key.padEnd(width)}  ${usd(r.costNano).padStart(12)}  ${share.padStart(6)}  ${n(r.calls).padStart(7)} calls  ${n(r.inputTokens).padStart(11)} in  ${n(r.outputTokens).padStart(10)} out`,
    );
  }
  if (rows.length > limit) out.push(`  … and ${rows.length - limit} more`);
  return out;
}

/** The text cost report: totals, spend by agent/model/user/task, rate, forecast, opportunities. */
export function buildCostReport(engine: KernelEngine, period: PeriodKind | 'lifetime'): string {
  const { ledger, pricing } = engine;
  const total = ledger.total(period);
  const lines: string[] = [`token-kernel cost report (${period})`, ''];
  lines.push(
    `Total: ${usd(total.costNano)} over ${n(total.calls)} calls; ${n(total.inputTokens)} input tokens (cache read ${n(total.cacheReadTokens)}, cache write ${n(total.cacheWriteTokens)}), ${n(total.outputTokens)} output (reasoning ${n(total.reasoningTokens)})`,
  );
  if (total.cachedCalls > 0)
    lines.push(`Cache: ${n(total.cachedCalls)} hits saved ${usd(total.savedNano)}`);
  const byAgent = ledger.usage({ by: 'agent', period });
  const byModel = ledger.usage({ by: 'model', period });
  for (const [title, by] of [
    ['By agent', byAgent],
    ['By model', byModel],
  ] as const) {
    const t = table(title, by, total.costNano);
    if (t.length > 0) lines.push('', ...t);
  }
  for (const [title, dim] of [
    ['By user', 'user'],
    ['By task', 'task'],
  ] as const) {
    const rows = ledger.usage({ by: dim, period });
    if (rows.length > 1 || (rows.length === 1 && rows[0]?.key !== '(none)'))
      lines.push('', ...table(title, rows, total.costNano));
  }
  const rate = ledger.burnRate();
  const span =
    rate.windowMs >= 60_000
      ? `${Math.round(rate.windowMs / 60_000)} min`
      : `${Math.round(rate.windowMs / 1_000)} s`;
  lines.push(
    '',
    `Burn rate (last ${span}): ${usd(rate.usdPerHour * 1e9)}/hour, ${n(rate.tokensPerMinute)} tokens/min`,
  );
  const day = ledger.forecast('day');
  if (rate.windowMs < MIN_FORECAST_HISTORY_MS) {
    lines.push(
      `Forecast for today: not enough history yet (${span} of spend; a projection needs ${MIN_FORECAST_HISTORY_MS / 60_000} min), spent so far ${usd(day.spentNano)}`,
    );
  } else {
    lines.push(
      `Forecast for today: ${usd(day.projectedNano)} (${n(day.projectedTokens)} tokens), spent so far ${usd(day.spentNano)}`,
    );
  }

  const ideas: string[] = [];
  for (const r of byAgent) {
    if (total.costNano > 0 && r.costNano / total.costNano > HOT_AGENT_SHARE) {
      ideas.push(
        `agent \`${r.key}\` is ${((100 * r.costNano) / total.costNano).toFixed(0)}% of spend (${usd(r.costNano)}): check its loop and context size`,
      );
    }
  }
  for (const r of byModel) {
    const sibling = cheaperSibling(pricing, r.key);
    if (sibling !== undefined && r.costNano > 0) {
      ideas.push(
        `model \`${r.key}\`: \`${sibling.model}\` costs ${(sibling.saving * 100).toFixed(0)}% less per token; moving its calls would save up to ${usd(r.costNano * sibling.saving)}`,
      );
    }
  }
  if (total.savedNano > 0)
    ideas.push(
      `the response cache saved ${usd(total.savedNano)} (${n(total.cachedCalls)} hits); keep temperature 0 for repeatable calls`,
    );
  else if (total.calls > 0)
    ideas.push(
      'no cache hits: repeated prompts at temperature 0 would be served from the cost-aware cache',
    );
  lines.push(
    '',
    'Optimization opportunities:',
    ...(ideas.length > 0 ? ideas.map((i) => `  - ${i}`) : ['  (none found)']),
  );
  return lines.join('\n');
}
