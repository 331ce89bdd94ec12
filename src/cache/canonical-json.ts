import { invalid } from '../validate.js';

const REJECTED: readonly (abstract new (...args: never[]) => unknown)[] = [
  Map,
  Set,
  WeakMap,
  WeakSet,
  Promise,
  RegExp,
];

/**
 * Canonical JSON of a request-like value: object keys sorted by UTF-16 code units at every depth,
 * no whitespace, and JSON.stringify's rules otherwise (`toJSON` honoured; `undefined`, functions
 * and symbols omitted from objects and written as `null` in arrays). Binary data (typed arrays,
 * `ArrayBuffer`, `DataView`) is written as its base64 string, the form SDKs accept
 * interchangeably with bytes. Values JSON would silently mangle are refused instead, so two
 * different requests can never share a key: non-finite numbers, bigints, cycles, and Map, Set,
 * WeakMap, WeakSet, Promise and RegExp instances.
 * @param name the argument's name, for error messages (a path like `request.messages[0]` is
 *   appended).
 * @throws KernelError `INVALID_ARGUMENT` on a value that has no faithful JSON form.
 */
export function canonicalJson(value: unknown, name = 'value'): string {
  const out = write(value, name, new Set<object>(), '');
  if (out === undefined) invalid(name, 'a JSON-serializable value', value);
  return out;
}

function write(
  value: unknown,
  path: string,
  ancestors: Set<object>,
  key: string,
): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) invalid(path, 'a finite number', value);
      return JSON.stringify(value);
    case 'bigint':
      return invalid(path, 'a JSON-serializable value (not a bigint)', value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const object = value as object;
  if (ArrayBuffer.isView(object))
    return JSON.stringify(
      Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64'),
    );
  if (object instanceof ArrayBuffer) return JSON.stringify(Buffer.from(object).toString('base64'));
  for (const type of REJECTED) {
    if (object instanceof type) invalid(path, 'a JSON-serializable value', value);
  }
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const replaced: unknown = (toJSON as (k: string) => unknown).call(object, key);
    if (replaced !== object) return write(replaced, path, ancestors, key);
  }
  if (ancestors.has(object)) invalid(path, 'an acyclic value', '[Circular]');
  ancestors.add(object);
  let out: string;
  if (Array.isArray(object)) {
    const parts: string[] = [];
    for (let i = 0; i < object.length; i++) {
      parts.push(write(object[i], `${path}[${i}]`, ancestors, String(i)) ?? 'null');
    }
    out = `[${parts.join(',')}]`;
  } else {
    const parts: string[] = [];
    const record = object as Record<string, unknown>;
    for (const k of Object.keys(record).sort()) {
      const written = write(record[k], `${path}.${k}`, ancestors, k);
      if (written !== undefined) parts.push(`${JSON.stringify(k)}:${written}`);
    }
    out = `{${parts.join(',')}}`;
  }
  ancestors.delete(object);
  return out;
}
