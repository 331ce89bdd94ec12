import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { KernelError } from '../errors.js';
import { describeValue } from '../validate.js';
import { resolveRuleDocument } from './resolve-rules.js';
import { RuleProblem, ruleConfigError, type RulePath } from './rule-problem.js';
import type { ResolvedRule } from './rule-spec.js';

/** A rule file's syntax. */
export type RuleFormat = 'yaml' | 'json';

const MAX_ALIASES = 100;

/**
 * Parses and checks a rule set: an array of {@link RuleSpec}s, or an object `{ rules: [...] }`,
 * in YAML or JSON. Unknown fields are rejected (so a typo cannot silently disable a rule) and
 * defaults are applied.
 * @param file a name for error messages (the path it came from).
 * @returns the rules with every default applied.
 * @throws KernelError `INVALID_CONFIG` naming the file, line and column, the rule (index and name)
 *   and the field; `details` carries `file`, `line`, `column`, `rule`, `ruleName`, `field`.
 * @example
 * const rules = parseRules(await readFile('alerts.yaml', 'utf8'), 'yaml', 'alerts.yaml');
 */
export function parseRules(text: string, format: RuleFormat, file?: string): ResolvedRule[] {
  if (typeof text !== 'string') throw syntaxError(file, 'a string of rule text', text);
  if (format !== 'yaml' && format !== 'json')
    throw new KernelError(
      'INVALID_ARGUMENT',
      `Expected \`format\` to be one of 'yaml', 'json', got ${describeValue(format)}`,
      { details: { argument: 'format' } },
    );
  const lines = new LineCounter();
  let data: unknown;
  let doc: Document.Parsed | undefined;
  if (format === 'json') {
    try {
      data = JSON.parse(text);
    } catch (error) {
      const position = /position (\d+)/.exec((error as Error).message);
      const at = position === null ? undefined : lineAndColumn(text, Number(position[1]));
      throw syntaxError(file, 'valid JSON', (error as Error).message, at, error);
    }
  } else {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first !== undefined) {
      const pos = lines.linePos(first.pos[0]);
      throw syntaxError(
        file,
        'valid YAML',
        first.message.split('\n')[0],
        { line: pos.line, column: pos.col },
        first,
      );
    }
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (error) {
      throw syntaxError(file, 'valid YAML', (error as Error).message, undefined, error);
    }
  }
  try {
    return resolveRuleDocument(data);
  } catch (error) {
    if (!(error instanceof RuleProblem)) throw error;
    // JSON is YAML's flow syntax: parsing it again as YAML gives every node's position.
    doc ??= parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
    const at = locate(doc, lines, error.path);
    throw ruleConfigError(error, { file, line: at?.line, column: at?.column });
  }
}

/**
 * Reads and parses a rule file; the format follows the extension (`.yaml`, `.yml`, `.json`).
 * @throws KernelError `INVALID_CONFIG` for an unknown extension, an unreadable file, or a bad rule
 *   (as {@link parseRules}).
 */
export async function loadRules(path: string): Promise<ResolvedRule[]> {
  if (typeof path !== 'string' || path.length === 0)
    throw new KernelError(
      'INVALID_ARGUMENT',
      `Expected \`path\` to be a file path, got ${describeValue(path)}`,
      { details: { argument: 'path' } },
    );
  const ext = extname(path).toLowerCase();
  const format: RuleFormat | undefined =
    ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined;
  if (format === undefined)
    throw new KernelError(
      'INVALID_CONFIG',
      `${path}: Expected the rule file to end in .yaml, .yml or .json, got ${describeValue(ext)}`,
      { details: { file: path, field: '(extension)' } },
    );
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new KernelError(
      'INVALID_CONFIG',
      `${path}: could not read the rule file (${(error as Error).message})`,
      { cause: error, details: { file: path } },
    );
  }
  return parseRules(text, format, path);
}

function syntaxError(
  file: string | undefined,
  expected: string,
  got: unknown,
  at?: { line: number; column: number },
  cause?: unknown,
): KernelError {
  const place = `${file ?? '(rules)'}${at === undefined ? '' : `:${at.line}:${at.column}`}`;
  const found = typeof got === 'string' ? got : describeValue(got);
  return new KernelError('INVALID_CONFIG', `${place}: Expected ${expected}: ${found}`, {
    ...(cause !== undefined && { cause }),
    details: {
      ...(file !== undefined && { file }),
      ...(at !== undefined && { line: at.line, column: at.column }),
      field: '(document)',
    },
  });
}

/** 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** The position of the deepest node of `path` that exists (the field, else its nearest parent). */
function locate(
  doc: Document.Parsed,
  lines: LineCounter,
  path: RulePath,
): { line: number; column: number } | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (!isNode(node) || node.range == null) continue;
    // A missing field is reported at its parent (a block collection starts at its first entry).
    const pos = lines.linePos(node.range[0]);
    return { line: pos.line, column: pos.col };
  }
  return undefined;
}
