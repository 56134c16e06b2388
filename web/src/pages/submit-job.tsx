import { useEffect, useState, type FormEvent } from 'react';
import { enc, getJson, request } from '../api.ts';
import { navigate, useLocation } from '../router.tsx';
import { ErrorBox, Field } from '../widgets.tsx';

interface JobRequest {
  name?: string;
  user?: string;
  version?: string;
  commandArgs?: string | null;
  clusterCriterias?: { tags: string[] }[];
  commandCriteria?: string[];
  tags?: string[];
  description?: string | null;
}

interface FormValues {
  name: string;
  user: string;
  version: string;
  clusterCriteria: string;
  commandCriteria: string;
  commandArgs: string;
  tags: string;
}

const EMPTY: FormValues = { name: '', user: '', version: '1', clusterCriteria: '', commandCriteria: '', commandArgs: '', tags: '' };
const tagList = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/** Genie tags the job with genie.id/genie.name itself; a resubmission must not copy them. */
const ownTags = (tags: string[] = []) => tags.filter((t) => !t.startsWith('genie.'));

function fromRequest(r: JobRequest): FormValues {
  return {
    name: r.name ?? '',
    user: r.user ?? '',
    version: r.version ?? '1',
    clusterCriteria: (r.clusterCriterias ?? []).map((c) => c.tags.join(', ')).join('\n'),
    commandCriteria: (r.commandCriteria ?? []).join(', '),
    commandArgs: r.commandArgs ?? '',
    tags: ownTags(r.tags).join(', '),
  };
}

/** Submits a job (JSON, or multipart when files are attached); ?from=ID starts from an old job's request. */
export function SubmitJob() {
  const { search } = useLocation();
  const from = search.get('from');
  const [values, setValues] = useState<FormValues>(EMPTY);
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!from) return;
    getJson<JobRequest>(`/api/v3/jobs/${enc(from)}/request`).then((r) => setValues(fromRequest(r)), setError);
  }, [from]);

  const set = (key: keyof FormValues) => (e: { target: { value: string } }) => setValues({ ...values, [key]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    const body = {
      name: values.name,
      user: values.user,
      version: values.version,
      commandArgs: values.commandArgs,
      clusterCriterias: values.clusterCriteria
        .split('\n')
        .map(tagList)
        .filter((tags) => tags.length > 0)
        .map((tags) => ({ tags })),
      commandCriteria: tagList(values.commandCriteria),
      tags: tagList(values.tags),
    };
    try {
      let response: Response;
      if (files.length === 0) {
        response = await request('/api/v3/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      } else {
        const form = new FormData();
        form.append('request', new Blob([JSON.stringify(body)], { type: 'application/json' }), 'request.json');
        for (const file of files) form.append('attachment', file, file.name);
        response = await request('/api/v3/jobs', { method: 'POST', body: form });
      }
      const id = (response.headers.get('location') ?? '').split('/').pop();
      if (!id) throw new Error('The server accepted the job but named no location for it');
      navigate(`/jobs/${enc(decodeURIComponent(id))}`);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>{from ? `Resubmit job ${from}` : 'Submit a job'}</h1>
      <form onSubmit={submit} className="stack" aria-label="Job request">
        <Field label="Name">
          <input name="name" required value={values.name} onChange={set('name')} />
        </Field>
        <Field label="User">
          <input name="user" required value={values.user} onChange={set('user')} />
        </Field>
        <Field label="Version">
          <input name="version" required value={values.version} onChange={set('version')} />
        </Field>
        <Field label="Cluster criteria (one per line, tags separated by commas; first match wins)">
          <textarea name="clusterCriteria" required rows={3} value={values.clusterCriteria} onChange={set('clusterCriteria')} />
        </Field>
        <Field label="Command tags (comma-separated)">
          <input name="commandCriteria" required value={values.commandCriteria} onChange={set('commandCriteria')} />
        </Field>
        <Field label="Arguments">
          <textarea name="commandArgs" rows={3} value={values.commandArgs} onChange={set('commandArgs')} />
        </Field>
        <Field label="Job tags (comma-separated)">
          <input name="tags" value={values.tags} onChange={set('tags')} />
        </Field>
        <Field label="Attachments">
          <input name="attachments" type="file" multiple onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />
        </Field>
        <button type="submit" disabled={busy}>
          Submit job
        </button>
      </form>
      <ErrorBox error={error} />
    </section>
  );
}
