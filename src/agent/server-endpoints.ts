/**
 * The server nodes an agent may talk to, in the order given. Every node serves the whole agent API
 * from the shared database, so any one will do: the agent stays with the node that last answered
 * and moves to the next when a call to it fails (connection refused, timeout, 5xx), wrapping round.
 */
export class ServerEndpoints {
  private readonly urls: readonly string[];
  private index = 0;

  constructor(urls: string | readonly string[]) {
    const list = (typeof urls === 'string' ? parseServerList(urls) : urls).map((url) => url.replace(/\/+$/, ''));
    if (list.length === 0) throw new Error('An agent needs at least one server URL (e.g. --server http://host:8080)');
    this.urls = list;
  }

  get all(): readonly string[] {
    return this.urls;
  }

  get current(): string {
    return this.urls[this.index]!;
  }

  /** Moves on from `failed` (if it is still the current node; a concurrent call may have moved already). */
  failover(failed: string): void {
    if (this.urls[this.index] === failed) this.index = (this.index + 1) % this.urls.length;
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
