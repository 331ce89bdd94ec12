import { invalid } from '../validate.js';
import type { AlertEvent, AlertSink } from './alert-event.js';

/**
 * An alert sink that writes one line per alert:
 * `[P1] alert.fired daily-budget org/org day 2026-01-05T00:00:00.000Z: <message>`.
 * @param write where lines go. @default a line on standard error
 * @throws KernelError `INVALID_ARGUMENT` when `write` is not a function
 * @example
 * createRuleEngine(kernel, rules, { sinks: [consoleSink()] });
 */
export function consoleSink(
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): AlertSink {
  if (typeof write !== 'function') invalid('write', 'a function', write);
  return { deliver: (alert) => write(formatAlertLine(alert)) };
}

/** The one-line form of an alert used by {@link consoleSink}. */
export function formatAlertLine(alert: AlertEvent): string {
  const targets =
    alert.targets.length === 0 ? '' : ` → ${alert.action} ${alert.targets.join(', ')}`;
  return `[${alert.severity}] ${alert.type} ${alert.rule} ${alert.scope}/${alert.key} ${alert.period} ${alert.periodKey}: ${alert.message}${targets}`;
}
