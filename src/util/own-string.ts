/**
 * A string that owns its characters. V8 makes a substring (split, slice, a template literal
 * over one) a view into its parent, so keeping one short path alive keeps the whole listing or
 * chunk it came from: what the engine keeps past its batch (renamed messages, directories) is
 * copied through this first. Paths from readdir are well-formed UTF-16, so the UTF-8 round trip
 * is exact.
 */
export function ownString(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
