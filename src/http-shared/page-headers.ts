/** What a reply needs here: setting a header (a FastifyReply is one). */
export interface HeaderSink {
  header(name: string, value: string): unknown;
}

/**
 * The web UI's page: its own scripts, styles and API only. Names, tags, arguments and messages are
 * users' text shown on it; should one ever slip into markup, no inline script, no other origin's
 * script and no `<base>` runs, and no other site can frame the page to click its buttons.
 */
export const APP_PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** A self-contained page the server renders (the A/B report): its inline styles and nothing else loads or runs. */
export const RENDERED_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Sets the headers every HTML page of the node carries: the page's content policy, no content
 * sniffing, no framing by other sites (X-Frame-Options for browsers that ignore frame-ancestors), and
 * no Referer carrying job ids and table names to links the page shows.
 */
export function setPageHeaders(reply: HeaderSink, policy: string): void {
  reply.header('content-security-policy', policy);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
}
