import { createContext, useContext, useState, type ReactNode } from 'react';

/** Whether times show in UTC or the browser's zone; remembered across visits. */
type Zone = 'utc' | 'local';
const KEY = 'quarry.timeZone';
const ZoneContext = createContext<{ zone: Zone; setZone: (zone: Zone) => void }>({ zone: 'utc', setZone: () => undefined });

export function TimeZoneProvider({ children }: { children: ReactNode }) {
  const [zone, setZoneState] = useState<Zone>(() => (localStorage.getItem(KEY) === 'local' ? 'local' : 'utc'));
  const setZone = (next: Zone) => {
    localStorage.setItem(KEY, next);
    setZoneState(next);
  };
  return <ZoneContext.Provider value={{ zone, setZone }}>{children}</ZoneContext.Provider>;
}

export const useTimeZone = () => useContext(ZoneContext);

const pad = (n: number) => String(n).padStart(2, '0');

export function formatTime(value: string | number | null | undefined, zone: Zone): string {
  if (value === null || value === undefined || value === '') return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  if (zone === 'utc') return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A <time> element in the chosen zone, with the exact instant in its datetime attribute. */
export function Time({ value }: { value: string | number | null | undefined }) {
  const { zone } = useTimeZone();
  if (value === null || value === undefined || value === '') return <span>—</span>;
  return <time dateTime={new Date(value).toISOString()}>{formatTime(value, zone)}</time>;
}

export function ZoneToggle() {
  const { zone, setZone } = useTimeZone();
  return (
    <button type="button" onClick={() => setZone(zone === 'utc' ? 'local' : 'utc')} aria-label={`Times shown in ${zone === 'utc' ? 'UTC' : 'local time'}; switch`}>
      {zone === 'utc' ? 'UTC' : 'Local time'}
    </button>
  );
}
