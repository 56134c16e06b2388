/**
 * The server nodes an agent may talk to: the ones it was given, in that order, then the ones it
 * learned from the cluster (GET /api/agent/v1/nodes). Every node serves the whole agent API from the
 * shared database, so any one will do: the agent stays with the node that last answered and moves
 * to the next when a call to it fails (connection refused, timeout, 5xx), wrapping round. Given URLs
 * are never forgotten; learned ones are replaced by each new answer, so a node that died (and aged
 * out of the answer) is dropped.
 */
export class ServerEndpoints {
  private readonly given: readonly string[];
  private urls: readonly string[];
  private index = 0;

  constructor(urls: string | readonly string[]) {
    const list = (typeof urls === 'string' ? parseServerList(urls) : urls).map(normalize);
    if (list.length === 0) throw new Error('An agent needs at least one server URL (e.g. --server http://host:8080)');
    this.given = list;
    this.urls = list;
  }

  get all(): readonly string[] {
    return this.urls;
  }

  get current(): string {
    return this.urls[this.index]!;
  }

  /** Every node, the current one first, then the others in their order (wrapping round). */
  fromCurrent(): string[] {
    return [...this.urls.slice(this.index), ...this.urls.slice(0, this.index)];
  }

  /** Makes `url` the current node (it just answered); an unknown URL changes nothing. */
  use(url: string): void {
    const index = this.urls.indexOf(url);
    if (index >= 0) this.index = index;
  }

  /** Moves on from `failed` (if it is still the current node; a concurrent call may have moved already). */
  failover(failed: string): void {
    if (this.urls[this.index] === failed) this.index = (this.index + 1) % this.urls.length;
  }

  /**
   * Takes the live nodes a server named: the given URLs, then these (ignoring malformed ones and
   * repeats). The current node stays current if it is still listed. Answers the URLs newly added.
   */
  learn(live: readonly string[]): string[] {
    const current = this.current;
    const learned = live.map(normalize).filter((url) => isHttpUrl(url) && !this.given.includes(url));
    const next = [...new Set([...this.given, ...learned])];
    const added = next.filter((url) => !this.urls.includes(url));
    this.urls = next;
    this.index = Math.max(0, next.indexOf(current));
    return added;
  }
}

function normalize(url: string): string {
  return url.replace(/\/+$/, '');
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Parses `URL1,URL2` (the `--server` option and `agent.servers` in the configuration file), rejecting
 * anything that is not an http(s) URL with a message naming it.
 */
export function parseServerList(value: string): string[] {
  const urls = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`Server URL ${JSON.stringify(url)} is not a URL; expected e.g. http://host:8080`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`Server URL ${JSON.stringify(url)} must start with http:// or https://`);
  }
  return urls;
}
