import * as zlib from 'node:zlib';

/**
 * The framing of one journal line: `<entry number> <crc32 as 8 hex digits> <json>\n`, e.g.
 * `12345 9f1c2a3b {"t":"record",...}`. The CRC covers the entry number (with its trailing space)
 * and the JSON, so a flipped digit in either is caught; the only unprotected bytes are the CRC's.
 */

const SPACE = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Longest entry number accepted: 15 digits stay below `Number.MAX_SAFE_INTEGER`. */
const MAX_DIGITS = 15;

let table: Uint32Array | undefined;

function tableCrc32(data: string | Uint8Array, value: number): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[i] = c >>> 0;
    }
  }
  let crc = ~value;
  for (let i = 0; i < bytes.length; i++) {
    crc = (table[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return ~crc >>> 0;
}

/**
 * The table implementation of CRC-32 (IEEE 802.3, as zlib), over the UTF-8 bytes of a string.
 * Exported so tests can check it against `zlib.crc32`; {@link journalCrc32} is the one to use.
 */
export function tableJournalCrc32(data: string | Uint8Array, value = 0): number {
  return tableCrc32(data, value);
}

// zlib.crc32 arrived in Node 20.15; the engines field allows any Node 20.
const nativeCrc32 = (zlib as { crc32?: (data: string | Uint8Array, value?: number) => number })
  .crc32;

/**
 * CRC-32 (IEEE, as zlib) of `data` (a string is taken as UTF-8), continuing from `value`.
 * Uses `zlib.crc32` when the runtime has it, a table otherwise; both give the same numbers.
 */
export const journalCrc32: (data: string | Uint8Array, value?: number) => number =
  nativeCrc32 === undefined ? tableJournalCrc32 : (data, value = 0) => nativeCrc32(data, value);

/** The CRC of line `n` holding `json`, as written in the line. */
function lineCrc(n: number, json: string | Uint8Array): number {
  return journalCrc32(json, journalCrc32(`${n} `));
}

/**
 * One framed line for entry number `n` (a positive safe integer) and its JSON text, newline
 * included.
 */
export function encodeJournalLine(n: number, json: string): string {
  return `${n} ${lineCrc(n, json).toString(16).padStart(8, '0')} ${json}\n`;
}

/** A line that passed its checks: its entry number and the parsed JSON value. */
export interface DecodedJournalLine {
  readonly ok: true;
  readonly n: number;
  readonly value: unknown;
}

/** A line that failed its checks, with the reason (for the store's `problems`). */
export interface BadJournalLine {
  readonly ok: false;
  /** The entry number when it could be read (not trustworthy: the line failed its CRC). */
  readonly n: number | undefined;
  readonly reason: string;
}

function hexValue(byte: number): number {
  if (byte >= DIGIT_0 && byte <= DIGIT_9) return byte - DIGIT_0;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}

/**
 * Checks and parses one line (without its newline): the number, the CRC over number and JSON,
 * then the JSON. Works on bytes so the CRC is computed over exactly what is on disk.
 */
export function decodeJournalLine(line: Buffer): DecodedJournalLine | BadJournalLine {
  let i = 0;
  let n = 0;
  while (i < line.length && line[i] !== SPACE) {
    const byte = line[i] as number;
    if (byte < DIGIT_0 || byte > DIGIT_9 || i >= MAX_DIGITS || (i === 1 && n === 0)) {
      return { ok: false, n: undefined, reason: 'no entry number' };
    }
    n = n * 10 + byte - DIGIT_0;
    i++;
  }
  if (i === 0 || i === line.length) return { ok: false, n: undefined, reason: 'no entry number' };
  const crcStart = i + 1;
  const jsonStart = crcStart + 9;
  if (line.length <= jsonStart || line[jsonStart - 1] !== SPACE) {
    return { ok: false, n, reason: 'no checksum' };
  }
  let stored = 0;
  for (let k = crcStart; k < crcStart + 8; k++) {
    const h = hexValue(line[k] as number);
    if (h < 0) return { ok: false, n, reason: 'no checksum' };
    stored = stored * 16 + h;
  }
  const json = line.subarray(jsonStart);
  if (lineCrc(n, json) !== stored) return { ok: false, n, reason: 'checksum mismatch' };
  try {
    return { ok: true, n, value: JSON.parse(line.toString('utf8', jsonStart)) };
  } catch {
    // A matching CRC over bad JSON means the writer wrote it so: still not an entry.
    return { ok: false, n, reason: 'invalid JSON' };
  }
}
