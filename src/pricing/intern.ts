/**
 * The engine's canonical copy of `s` (V8 keeps one internalized string per content for property
 * keys). Price sources are interned where they are made: the ledger compares a record's source
 * with the one before on every record, and two internalized strings compare by reference instead
 * of by a call that reads their characters.
 */
export function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}
