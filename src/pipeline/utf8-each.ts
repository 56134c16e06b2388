/**
 * Each string as its UTF-8 bytes. Contract: element i holds exactly Buffer.from(strings[i]);
 * the buffers may share one allocation, so callers must not write into them.
 * Why: a produce request needs bytes per message, and encoding a batch's strings one by one costs a
 * call and an allocation each; when the whole batch is ASCII (JSON events usually are) one encode
 * of the joined text gives every message's bytes by position.
 */
export function utf8Each(strings: readonly string[]): Buffer[] {
  const joined = strings.join('');
  const bytes = Buffer.from(joined, 'utf8');
  const out: Buffer[] = new Array(strings.length);
  if (bytes.length !== joined.length) {
    // Some character takes more than one byte: positions in the text are not positions in the bytes.
    for (let i = 0; i < strings.length; i++) out[i] = Buffer.from(strings[i], 'utf8');
    return out;
  }
  let at = 0;
  for (let i = 0; i < strings.length; i++) {
    out[i] = bytes.subarray(at, at + strings[i].length);
    at += strings[i].length;
  }
  return out;
}
