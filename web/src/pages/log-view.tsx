import { useCallback, useEffect, useRef, useState } from 'react';
import { request } from '../api.ts';

/**
 * A job's stdout or stderr, following while the job runs. Only the tail is fetched at first (one
 * Range request for the last CHUNK bytes); afterwards each poll asks for the bytes after the last
 * one seen (`Range: bytes=N-`) and appends them, so the file is never fetched twice and a 200 MB
 * log costs what is shown. "Load earlier" fetches the CHUNK before the first byte shown.
 */
const CHUNK = 64 * 1024;
const POLL_MS = 1000;

interface Span {
  start: number; // first byte shown
  end: number; // one past the last byte fetched
  total: number | null;
}

function parseContentRange(header: string | null): { start: number; end: number; total: number | null } | null {
  const m = header ? /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(header) : null;
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]) + 1, total: m[3] === '*' ? null : Number(m[3]) };
}

export function LogView({ url, follow, label }: { url: string; follow: boolean; label: string }) {
  const [text, setText] = useState('');
  const [span, setSpan] = useState<Span | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const spanRef = useRef<Span | null>(null);
  const decoder = useRef(new TextDecoder());
  const box = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);

  const fetchRange = useCallback(
    async (range: string): Promise<{ bytes: Uint8Array; range: ReturnType<typeof parseContentRange> } | null> => {
      try {
        const response = await request(url, { headers: { range } });
        const bytes = new Uint8Array(await response.arrayBuffer());
        const parsed = response.status === 206 ? parseContentRange(response.headers.get('content-range')) : { start: 0, end: bytes.length, total: bytes.length };
        return { bytes, range: parsed };
      } catch (e) {
        const err = e as Error & { status?: number };
        // 416: nothing after the last byte seen yet.
        if (err.status === 416) return { bytes: new Uint8Array(), range: null };
        if (err.status === 404) return null; // not created yet
        throw err;
      }
    },
    [url],
  );

  const poll = useCallback(async () => {
    const current = spanRef.current;
    const result = await fetchRange(current ? `bytes=${current.end}-` : `bytes=-${CHUNK}`);
    if (!result || !result.range || result.bytes.length === 0) return;
    const chunk = decoder.current.decode(result.bytes, { stream: true });
    const next: Span = current
      ? { start: current.start, end: result.range.end, total: result.range.total }
      : { start: result.range.start, end: result.range.end, total: result.range.total };
    spanRef.current = next;
    setSpan(next);
    setText((t) => (current ? t + chunk : chunk));
  }, [fetchRange]);

  // A new file starts from nothing; the follow flag only starts and stops polling, keeping what is shown.
  useEffect(() => {
    spanRef.current = null;
    decoder.current = new TextDecoder();
    setText('');
    setSpan(null);
  }, [url]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One poll always runs, so the bytes written just before the job ended are shown too.
    const loop = async () => {
      try {
        await poll();
        setError(null);
      } catch (e) {
        setError(e as Error);
      }
      if (!stopped && follow) timer = setTimeout(loop, POLL_MS);
    };
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [poll, follow]);

  useEffect(() => {
    if (pinned.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [text]);

  const loadEarlier = async () => {
    const current = spanRef.current;
    if (!current || current.start === 0) return;
    const from = Math.max(0, current.start - CHUNK);
    try {
      const result = await fetchRange(`bytes=${from}-${current.start - 1}`);
      if (!result?.range) return;
      const earlier = new TextDecoder().decode(result.bytes);
      const next = { ...current, start: from };
      spanRef.current = next;
      setSpan(next);
      setText((t) => earlier + t);
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <section aria-label={label} className="log">
      <h2>{label}</h2>
      {span && span.start > 0 ? (
        <button type="button" onClick={loadEarlier}>
          Load earlier ({span.start} bytes not shown)
        </button>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error.message}
        </p>
      ) : null}
      <pre
        ref={box}
        tabIndex={0}
        data-log={label}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 20;
        }}
      >
        {text}
      </pre>
      <p className="muted">
        {span ? `bytes ${span.start}–${span.end}${span.total !== null ? ` of ${span.total}` : ''}` : 'empty so far'}
        {follow ? ' · following' : ''}
      </p>
    </section>
  );
}
