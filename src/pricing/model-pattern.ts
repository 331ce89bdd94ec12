/**
 * A case-insensitive model-name filter: a glob when `pattern` contains `*` or `?` (matched
 * against the whole name, or the part after a `provider:` prefix), else a substring test.
 */
export function modelPattern(pattern: string): (model: string) => boolean {
  const lower = pattern.toLowerCase();
  if (!/[*?]/.test(lower)) return (model) => model.toLowerCase().includes(lower);
  const source = lower
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const glob = new RegExp(`^(?:${source})$`);
  return (model) => {
    const name = model.toLowerCase();
    const colon = name.indexOf(':');
    return glob.test(name) || (colon !== -1 && glob.test(name.slice(colon + 1)));
  };
}
