const PROVIDER_PREFIX = /^([a-z0-9_-]+)[/:](.+)$/i;

/**
 * Splits `openai/gpt-4o` or `openai:gpt-4o` into provider and model. The prefix is only a
 * candidate; the caller checks that such a provider exists.
 */
export function splitProviderPrefix(model: string): { provider: string; rest: string } | undefined {
  const m = PROVIDER_PREFIX.exec(model);
  return m === null ? undefined : { provider: m[1]!, rest: m[2]! };
}

/**
 * The names to try for a model, most specific first: the name itself, then what follows each
 * `/` (`openrouter/openai/gpt-4o` → `openai/gpt-4o` → `gpt-4o`), then what follows a
 * `provider:` prefix.
 */
export function nameCandidates(model: string): string[] {
  const names = [model];
  for (
    let i = model.indexOf('/');
    i !== -1 && i < model.length - 1;
    i = model.indexOf('/', i + 1)
  ) {
    names.push(model.slice(i + 1));
  }
  const split = splitProviderPrefix(model);
  if (split !== undefined && !names.includes(split.rest)) names.push(split.rest);
  return names;
}
