import { useState, type FormEvent } from 'react';
import { enc, sendJson, request } from '../api.ts';
import { useLocation } from '../router.tsx';
import { useApi } from '../use-api.ts';
import { ErrorBox, Field } from '../widgets.tsx';
import { ResolvedClusters, type Resource } from './registry.tsx';

/**
 * Moves a tag from one cluster to another in one action: the tag is added to the target first and
 * only then removed from the source, so no moment exists where no cluster carries it. Afterwards
 * every command's resolved clusters show where new jobs go.
 */
export function TagMove() {
  const { search } = useLocation();
  const clusters = useApi<{ _embedded?: { clusterList: Resource[] } }>('/api/v3/clusters?size=100');
  const commands = useApi<{ _embedded?: { commandList: Resource[] } }>('/api/v3/commands?size=100');
  const [tag, setTag] = useState(search.get('tag') ?? '');
  const [from, setFrom] = useState(search.get('from') ?? '');
  const [to, setTo] = useState(search.get('to') ?? '');
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const list = clusters.data?._embedded?.clusterList ?? [];

  const move = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    try {
      if (!tag.trim()) throw new Error('Name the tag to move');
      if (!from || !to || from === to) throw new Error('Choose two different clusters');
      await sendJson('POST', `/api/v3/clusters/${enc(to)}/tags`, [tag.trim()]);
      await request(`/api/v3/clusters/${enc(from)}/tags/${enc(tag.trim())}`, { method: 'DELETE' });
      setDone(`Moved tag ${tag.trim()} from ${from} to ${to}.`);
      setGeneration((g) => g + 1);
      clusters.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <section>
      <h1>Move a tag between clusters</h1>
      <ErrorBox error={clusters.error} />
      <form onSubmit={move} className="filters" aria-label="Move a tag">
        <Field label="Tag">
          <input name="tag" value={tag} onChange={(e) => setTag(e.target.value)} />
        </Field>
        <Field label="From cluster">
          <select name="from" value={from} onChange={(e) => setFrom(e.target.value)}>
            <option value="">choose…</option>
            {list.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.tags.filter((t) => !t.startsWith('genie.')).join(', ')})
              </option>
            ))}
          </select>
        </Field>
        <Field label="To cluster">
          <select name="to" value={to} onChange={(e) => setTo(e.target.value)}>
            <option value="">choose…</option>
            {list.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit">Move tag</button>
      </form>
      <ErrorBox error={error} />
      {done ? (
        <p role="status" className="ok">
          {done}
        </p>
      ) : null}
      <h2>Where new jobs go</h2>
      <ErrorBox error={commands.error} />
      {(commands.data?._embedded?.commandList ?? []).map((c) => (
        <div key={c.id}>
          <h3>Command {c.name}</h3>
          <ResolvedClusters commandId={c.id} generation={generation} />
        </div>
      ))}
    </section>
  );
}
