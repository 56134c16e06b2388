/** Characters Java's URLEncoder leaves as they are; every other byte of the UTF-8 form is `%XX`. */
const UNRESERVED = /[A-Za-z0-9.\-*_]/;

/**
 * Escapes a partition field name or value for a folder name the way Iceberg Java does
 * (`PartitionSpec.escape`, i.e. `URLEncoder.encode(s, UTF_8)`): letters, digits and `.-*_` stay,
 * a space becomes `+`, everything else (`/`, `%`, `=`, `?`, `#`, `&`, non-ASCII…) becomes upper-case
 * `%XX` per UTF-8 byte. PyIceberg's `quote_plus(s, safe="")` gives the same bytes except for `~`
 * (kept) and `*` (escaped). The result is a plain string: stored and read back as written, never decoded.
 */
export function escapePartitionPathSegment(text: string): string {
  let out = '';
  for (const char of text) {
    if (char === ' ') out += '+';
    else if (UNRESERVED.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
