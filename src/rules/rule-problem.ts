import { KernelError } from '../errors.js';
import { describeValue } from '../validate.js';

/** A path into a rule document: `['rules', 1, 'when', 'metric']`. */
export type RulePath = ReadonlyArray<string | number>;

/** Where a problem is in a rule file. */
export interface RuleLocation {
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

/**
 * What is wrong with a rule document, before it is placed in a file: the path of the field, what
 * was expected and what was found. Converted to a `KernelError` by {@link ruleConfigError}.
 */
export class RuleProblem extends Error {
  override readonly name = 'RuleProblem';
  readonly path: RulePath;
  readonly expected: string;
  readonly got: unknown;
  /** Index of the rule in the set, when the problem is inside one. */
  readonly rule: number | undefined;
  /** The rule's name, when it has a usable one. */
  readonly ruleName: string | undefined;
  /** The field inside the rule (`when.metric`), or the document path outside any rule. */
  readonly field: string;

  constructor(
    path: RulePath,
    expected: string,
    got: unknown,
    rule?: { index: number; name: string | undefined; depth: number },
  ) {
    super(`Expected \`${pathText(path)}\` to be ${expected}, got ${describeValue(got)}`);
    this.path = path;
    this.expected = expected;
    this.got = got;
    this.rule = rule?.index;
    this.ruleName = rule?.name;
    this.field = rule === undefined ? pathText(path) : pathText(path.slice(rule.depth));
  }
}

/** `rules[1].when.metric`. */
export function pathText(path: RulePath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(document)' : out;
}

/**
 * The `INVALID_CONFIG` error for a problem: the message names the file and position, the rule
 * (index and name) and the field; `details` carries `file`, `line`, `column`, `rule`, `ruleName`
 * and `field`.
 */
export function ruleConfigError(problem: RuleProblem, where: RuleLocation): KernelError {
  const position =
    where.line === undefined
      ? ''
      : where.column === undefined
        ? `:${where.line}`
        : `:${where.line}:${where.column}`;
  const place = where.file === undefined ? '' : `${where.file}${position}: `;
  const lineOnly =
    where.file === undefined && where.line !== undefined ? ` (line ${where.line})` : '';
  const rule =
    problem.rule === undefined
      ? ''
      : `rule[${problem.rule}]${problem.ruleName === undefined ? '' : ` "${problem.ruleName}"`}${lineOnly}: `;
  const message = `${place}${rule}Expected \`${problem.field}\` to be ${problem.expected}, got ${describeValue(problem.got)}`;
  return new KernelError('INVALID_CONFIG', message, {
    cause: problem,
    details: {
      ...(where.file !== undefined && { file: where.file }),
      ...(where.line !== undefined && { line: where.line }),
      ...(where.column !== undefined && { column: where.column }),
      ...(problem.rule !== undefined && { rule: problem.rule }),
      ...(problem.ruleName !== undefined && { ruleName: problem.ruleName }),
      field: problem.field,
      argument: pathText(problem.path),
    },
  });
}
