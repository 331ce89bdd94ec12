import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKernelError, type KernelError } from '../../src/errors.js';
import { loadRules, parseRules } from '../../src/rules/parse-rules.js';

function configError(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (error) {
    if (isKernelError(error)) return error;
    throw error;
  }
  throw new Error('expected a KernelError');
}

const GOOD_YAML = `# two rules
rules:
  - name: daily-budget
    severity: P1
    action: pause-noncritical
    when:
      metric: usd
      scope: org
      period: day
      op: '>='
      ratioOf: 1
  - name: spike
    severity: P2
    action: notify
    message: '{key} used {value}'
    when:
      metric: tokens
      scope: agent
      period: hour
      op: gt
      value: 5000
`;

describe('parseRules', () => {
  it('parses YAML and applies the defaults', () => {
    const rules = parseRules(GOOD_YAML, 'yaml', 'alerts.yaml');
    expect(rules).toEqual([
      {
        name: 'daily-budget',
        severity: 'P1',
        action: 'pause-noncritical',
        message:
          '{rule}: {metric} of {scope} {key} is {value} ({op} {threshold}) in period {periodKey}',
        when: {
          metric: 'usd',
          scope: 'org',
          id: '*',
          period: 'day',
          op: '>=',
          ratioOf: { factor: 1, limit: 'org:day' },
        },
      },
      {
        name: 'spike',
        severity: 'P2',
        action: 'notify',
        message: '{key} used {value}',
        when: { metric: 'tokens', scope: 'agent', id: '*', period: 'hour', op: '>', value: 5000 },
      },
    ]);
  });

  it('parses the same rules from JSON, as a bare array too', () => {
    const json = JSON.stringify(parseRules(GOOD_YAML, 'yaml'));
    expect(parseRules(json, 'json')).toEqual(parseRules(GOOD_YAML, 'yaml'));
    expect(parseRules(JSON.stringify({ rules: JSON.parse(json) }), 'json')).toEqual(
      parseRules(GOOD_YAML, 'yaml'),
    );
  });

  it('gives each metric its default scope, period and window', () => {
    const [perTask, rate, forecast] = parseRules(
      JSON.stringify([
        {
          name: 'a',
          severity: 'P1',
          action: 'kill-agent',
          when: { metric: 'tokensPerTask', op: '>', ratioOf: 3 },
        },
        {
          name: 'b',
          severity: 'P2',
          action: 'notify',
          when: { metric: 'rate', scope: 'agent', op: '>', value: 10 },
        },
        {
          name: 'c',
          severity: 'P3',
          action: 'notify',
          when: { metric: 'forecast', op: '>', ratioOf: { factor: 0.9 } },
        },
      ]),
      'json',
    );
    expect(perTask?.when).toMatchObject({
      scope: 'task',
      period: 'lifetime',
      ratioOf: { factor: 3, limit: 'task:lifetime' },
    });
    expect(rate?.when).toMatchObject({ scope: 'agent', period: 'hour', windowMinutes: 5 });
    expect(forecast?.when).toMatchObject({
      scope: 'org',
      period: 'day',
      ratioOf: { factor: 0.9, limit: 'org:day' },
    });
  });

  it('names the file, line, rule and field of a bad YAML value', () => {
    const bad = GOOD_YAML.replace('metric: tokens', 'metric: tokes');
    const error = configError(() => parseRules(bad, 'yaml', 'alerts.yaml'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.details).toMatchObject({
      file: 'alerts.yaml',
      line: 17,
      rule: 1,
      ruleName: 'spike',
      field: 'when.metric',
    });
    expect(error.message).toContain('alerts.yaml:17:');
    expect(error.message).toContain('rule[1] "spike"');
    expect(error.message).toContain('`when.metric`');
    expect(error.message).toContain('"tokes"');
  });

  it('names the line of a bad JSON value', () => {
    const text =
      '[\n  {"name": "x", "severity": "P1", "action": "notify",\n   "when": {"metric": "usd", "op": ">",\n            "value": -1}}\n]';
    const error = configError(() => parseRules(text, 'json', 'alerts.json'));
    expect(error.details).toMatchObject({
      file: 'alerts.json',
      line: 4,
      rule: 0,
      ruleName: 'x',
      field: 'when.value',
    });
  });

  it('reports a missing field at the line of its rule', () => {
    const bad = GOOD_YAML.replace('    severity: P2\n', '');
    const error = configError(() => parseRules(bad, 'yaml', 'alerts.yaml'));
    expect(error.details).toMatchObject({ line: 12, rule: 1, field: 'severity' });
  });

  it('rejects YAML and JSON syntax errors with their position', () => {
    const yamlError = configError(() =>
      parseRules('rules:\n  - name: a\n   bad: [\n', 'yaml', 'a.yaml'),
    );
    expect(yamlError.code).toBe('INVALID_CONFIG');
    expect(yamlError.details).toMatchObject({ file: 'a.yaml', field: '(document)' });
    expect(yamlError.details['line']).toBeGreaterThanOrEqual(2);
    const jsonError = configError(() => parseRules('[\n  {"name": "x",}\n]', 'json', 'a.json'));
    expect(jsonError.details).toMatchObject({ file: 'a.json', line: 2, field: '(document)' });
  });

  it('rejects an unquoted > in YAML with a hint to quote it', () => {
    const bad = GOOD_YAML.replace("op: '>='", 'op: >=');
    const error = configError(() => parseRules(bad, 'yaml', 'a.yaml'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.details).toMatchObject({ line: 10 });
  });

  it.each([
    ['an unknown field', { extra: 1 }, 'extra'],
    [
      'an unknown condition field',
      { when: { metric: 'usd', op: '>', value: 1, treshold: 2 } },
      'when.treshold',
    ],
    ['no threshold', { when: { metric: 'usd', op: '>' } }, 'when.value'],
    ['two thresholds', { when: { metric: 'usd', op: '>', value: 1, ratioOf: 2 } }, 'when.ratioOf'],
    ['a negative value', { when: { metric: 'usd', op: '>', value: -1 } }, 'when.value'],
    ['a zero factor', { when: { metric: 'usd', op: '>', ratioOf: 0 } }, 'when.ratioOf'],
    [
      'a bad ratio object',
      { when: { metric: 'usd', op: '>', ratioOf: { factor: 'x' } } },
      'when.ratioOf.factor',
    ],
    [
      'a reference to another scope',
      {
        when: { metric: 'usd', scope: 'agent', op: '>', ratioOf: { factor: 1, limit: 'user:day' } },
      },
      'when.ratioOf.limit',
    ],
    [
      'a rate against a lifetime limit',
      {
        when: {
          metric: 'rate',
          scope: 'agent',
          op: '>',
          ratioOf: { factor: 1, limit: 'agent:lifetime' },
        },
      },
      'when.ratioOf.limit',
    ],
    ['an unknown op', { when: { metric: 'usd', op: '=>', value: 1 } }, 'when.op'],
    [
      'an unknown scope',
      { when: { metric: 'usd', scope: 'team', op: '>', value: 1 } },
      'when.scope',
    ],
    [
      'an unknown period',
      { when: { metric: 'usd', period: 'year', op: '>', value: 1 } },
      'when.period',
    ],
    ['an id for org', { when: { metric: 'usd', id: 'x', op: '>', value: 1 } }, 'when.id'],
    [
      'tokensPerTask outside tasks',
      { when: { metric: 'tokensPerTask', scope: 'agent', op: '>', value: 1 } },
      'when.scope',
    ],
    [
      'a lifetime forecast',
      { when: { metric: 'forecast', period: 'lifetime', op: '>', value: 1 } },
      'when.period',
    ],
    [
      'a window outside rate',
      { when: { metric: 'usd', op: '>', value: 1, windowMinutes: 5 } },
      'when.windowMinutes',
    ],
    [
      'a window too long',
      { when: { metric: 'rate', op: '>', value: 1, windowMinutes: 61 } },
      'when.windowMinutes',
    ],
    ['an unknown severity', { severity: 'P0' }, 'severity'],
    ['an unknown action', { action: 'explode' }, 'action'],
    ['an unknown placeholder', { message: 'over {limt}' }, 'message'],
    ['a lone brace', { message: 'over {value' }, 'message'],
    ['a bad name', { name: 'has space' }, 'name'],
  ])('rejects %s, naming the field', (_title, patch, field) => {
    const rule = {
      name: 'r',
      severity: 'P1',
      action: 'notify',
      when: { metric: 'usd', op: '>', value: 1 },
      ...patch,
    };
    const error = configError(() => parseRules(JSON.stringify([rule]), 'json', 'x.json'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.details['field']).toBe(field);
    expect(error.details['rule']).toBe(0);
    expect(error.details['file']).toBe('x.json');
  });

  it('rejects duplicate rule names and stray top-level keys', () => {
    const rule = {
      name: 'r',
      severity: 'P1',
      action: 'notify',
      when: { metric: 'usd', op: '>', value: 1 },
    };
    expect(
      configError(() => parseRules(JSON.stringify([rule, rule]), 'json')).details,
    ).toMatchObject({ rule: 1, field: 'name' });
    expect(
      configError(() => parseRules(JSON.stringify({ rules: [rule], version: 2 }), 'json')).details,
    ).toMatchObject({ field: 'version' });
    expect(configError(() => parseRules('', 'yaml')).details).toMatchObject({
      field: '(document)',
    });
  });

  it('keeps literal braces written {{ and }}', () => {
    const rule = {
      name: 'r',
      severity: 'P1',
      action: 'notify',
      message: '{{json}} {value}',
      when: { metric: 'usd', op: '>', value: 1 },
    };
    expect(parseRules(JSON.stringify([rule]), 'json')[0]?.message).toBe('{{json}} {value}');
  });
});

describe('loadRules', () => {
  it('reads YAML and JSON files by extension and rejects others', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rules-'));
    await writeFile(join(dir, 'a.yml'), GOOD_YAML);
    await writeFile(join(dir, 'a.json'), JSON.stringify(parseRules(GOOD_YAML, 'yaml')));
    await writeFile(join(dir, 'a.txt'), GOOD_YAML);
    expect(await loadRules(join(dir, 'a.yml'))).toEqual(await loadRules(join(dir, 'a.json')));
    await expect(loadRules(join(dir, 'a.txt'))).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(loadRules(join(dir, 'missing.yaml'))).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { file: join(dir, 'missing.yaml') },
    });
    await writeFile(join(dir, 'bad.yaml'), GOOD_YAML.replace('severity: P1', 'severity: P9'));
    await expect(loadRules(join(dir, 'bad.yaml'))).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: {
        file: join(dir, 'bad.yaml'),
        line: 4,
        rule: 0,
        ruleName: 'daily-budget',
        field: 'severity',
      },
    });
  });
});
