/** Deterministic texts for the token tests: ordinary content of every kind, and hostile input. */

/** A seeded PRNG (mulberry32): same seed, same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` random lowercase letters, no whitespace: the input that makes BPE quadratic. */
export function randomLetters(n: number, seed: number): string {
  const random = seededRandom(seed);
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(97 + Math.floor(random() * 26));
  return out;
}

/** Base64 of `bytes` seeded random bytes, on one line. */
export function base64Blob(bytes: number, seed: number): string {
  const random = seededRandom(seed);
  const buffer = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) buffer[i] = Math.floor(random() * 256);
  return buffer.toString('base64');
}

/** Ordinary text of several kinds: prose, code, non-ASCII scripts, emoji, whitespace shapes. */
export const MIXED_SAMPLES: readonly string[] = [
  "The quick brown fox jumps over the lazy dog. It's 4:30 p.m., and we've got 1,234,567 items.",
  'export async function main(argv: string[]): Promise<number> {\n  const [cmd, ...rest] = argv;\n  if (cmd === "run") return run(rest);\n  return 1;\n}\n',
  'def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\n\n',
  '{"id":"call_9f2","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}',
  'Größenwahn, naïve café, Ærøskøbing — “quotes” and ‘apostrophes’…',
  'Привет, мир! Это тестовая строка на русском языке.',
  'お誕生日おめでとう。東京は今日、晴れです。日本語の文章を数えます。',
  '数据库连接失败，请检查网络设置后重试。这是一个很长的中文句子没有任何标点符号用于测试分词器的行为是否正确',
  '한국어 문장도 포함되어 있습니다. 안녕하세요!',
  'مرحبا بالعالم، هذا نص عربي.',
  'Emoji: 😀😃😄 👩‍👩‍👧‍👦 🇫🇷 ✔︎ — mixed with text 🎉!',
  '\t\tindented with tabs\n    and spaces   \n\n\n\r\nwindows line\r\n  trailing   ',
  'URL https://example.com/a/b/c?x=1&y=2#frag and path /usr/local/lib/node_modules/.bin',
  "SELECT id, name FROM users WHERE created_at > NOW() - INTERVAL '7 days' ORDER BY id;",
  'CamelCaseIdentifiersLikeHTTPServerRequest and snake_case_names_ok and SCREAMING_CASE',
  'Numbers 3.14159 2.71828 1e-9 0xFF 0b1010 1234567890123 and dates 2026-01-05T12:00:00Z',
  'Non\u00a0breaking\u2003em-space\u3000ideographic space\u200bzero-width',
  'Special-token text <|endoftext|> and <|im_start|>user<|im_sep|> and <|endofprompt|> stay text.',
];

/** All of {@link MIXED_SAMPLES} joined, repeated to at least `chars` characters. */
export function mixedCorpus(chars: number): string {
  const joined = MIXED_SAMPLES.join('\n\n');
  return joined.repeat(Math.ceil(chars / joined.length));
}
