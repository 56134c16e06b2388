import { useEffect, useRef, useState } from 'react';
import { getJson } from '../api.ts';
import { Time } from '../time.tsx';
import { ErrorBox, formatBytes } from '../widgets.tsx';

interface Stream {
  name: string;
  active: boolean;
  table: string;
  log: string;
  accepted: number;
  rejected: number;
  committed: number;
  lag: { events: number; seconds: number };
  lastCommit: string | null;
  files: number;
  bytes: number;
}

const POLL_MS = 2000;

/** Streams with their rates (from the change between two polls), lag, rejected events and last commit. */
export function Pipelines() {
  const [streams, setStreams] = useState<Stream[] | null>(null);
  const [rates, setRates] = useState<Record<string, number>>({});
  const [error, setError] = useState<Error | null>(null);
  const previous = useRef<{ at: number; accepted: Record<string, number> } | null>(null);
  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      try {
        const { streams: next } = await getJson<{ streams: Stream[] }>('/api/pipeline/v1/streams');
        const at = performance.now();
        const prior = previous.current;
        if (prior) {
          const seconds = (at - prior.at) / 1000;
          setRates(Object.fromEntries(next.map((s) => [s.name, prior.accepted[s.name] === undefined ? 0 : (s.accepted - prior.accepted[s.name]) / seconds])));
        }
        previous.current = { at, accepted: Object.fromEntries(next.map((s) => [s.name, s.accepted])) };
        setStreams(next);
        setError(null);
      } catch (e) {
        setError(e as Error);
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    let timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return (
    <section>
      <h1>Pipelines</h1>
      <ErrorBox error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Stream</th>
            <th scope="col">Table</th>
            <th scope="col">Active</th>
            <th scope="col">Events/s</th>
            <th scope="col">Accepted</th>
            <th scope="col">Rejected</th>
            <th scope="col">Committed</th>
            <th scope="col">Lag (events / s)</th>
            <th scope="col">Last commit</th>
            <th scope="col">Files</th>
          </tr>
        </thead>
        <tbody>
          {(streams ?? []).map((s) => (
            <tr key={s.name}>
              <td>{s.name}</td>
              <td>{s.table}</td>
              <td>{s.active ? 'yes' : 'no'}</td>
              <td>{(rates[s.name] ?? 0).toFixed(1)}</td>
              <td>{s.accepted}</td>
              <td>{s.rejected}</td>
              <td>{s.committed}</td>
              <td>
                {s.lag.events} / {s.lag.seconds.toFixed(1)}
              </td>
              <td>
                <Time value={s.lastCommit} />
              </td>
              <td>
                {s.files} ({formatBytes(s.bytes)})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {streams && streams.length === 0 ? <p>No streams declared.</p> : null}
    </section>
  );
}
