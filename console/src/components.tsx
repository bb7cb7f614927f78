// Small shared pieces: async state, polling, error lines, thumbnails, the label bar chart, a progress
// bar and a drop zone. Plain SVG and CSS; uPlot only draws the precision-recall curve.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { thumbnail } from './api.js';

export interface Async<T> {
  value?: T;
  error?: string;
  loading: boolean;
}

/** Runs `load` when `deps` change; keeps the last value while reloading. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<Async<T>>({ loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => live && setState({ value, loading: false }),
      (error: Error) => live && setState((s) => ({ ...s, error: error.message, loading: false })),
    );
    return () => {
      live = false;
    };
  }, deps);
  return state;
}

/** Calls `tick` now and every `ms` while `active`. */
export function usePoll(tick: () => void, ms: number, active: boolean, deps: unknown[] = []): void {
  useEffect(() => {
    if (!active) return;
    tick();
    const id = setInterval(tick, ms);
    return () => clearInterval(id);
  }, [active, ...deps]);
}

export function ErrorLine({ error }: { error?: string }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Thumb({ sha256, alt, size = 160 }: { sha256: string; alt: string; size?: number }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    let live = true;
    thumbnail(sha256, size).then((url) => live && setSrc(url), () => undefined);
    return () => {
      live = false;
    };
  }, [sha256, size]);
  return src ? <img class="thumb" src={src} alt={alt} loading="lazy" /> : <span class="thumb placeholder" role="img" aria-label={alt} />;
}

/** Images per label, train and test side by side, as horizontal bars. */
export function LabelBars({ rows }: { rows: { Label: string; Train: number; Test: number }[] }) {
  const max = Math.max(1, ...rows.map((r) => Math.max(r.Train, r.Test)));
  return (
    <figure class="bars">
      <figcaption>
        Images per label: <span class="key train">train</span> <span class="key test">test</span>
      </figcaption>
      <table>
        <tbody>
          {rows.map((r) => (
            <tr key={r.Label}>
              <th scope="row">{r.Label}</th>
              <td>
                <div class="bar train" style={{ width: `${(100 * r.Train) / max}%` }} />
                <div class="bar test" style={{ width: `${(100 * r.Test) / max}%` }} />
              </td>
              <td class="num">
                {r.Train} / {r.Test}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function ProgressBar({ fraction, label }: { fraction: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
  return (
    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={label}>
      <div style={{ width: `${pct}%` }} />
    </div>
  );
}

/** A drop zone that is also a keyboard-reachable file picker. */
export function DropZone({ accept, multiple, onFiles, children }: { accept: string; multiple?: boolean; onFiles: (files: File[], items?: DataTransferItemList) => void; children: ComponentChildren }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <div
      class={`drop${over ? ' over' : ''}`}
      role="button"
      tabIndex={0}
      onClick={() => input.current?.click()}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), input.current?.click())}
      onDragOver={(e) => (e.preventDefault(), setOver(true))}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (e.dataTransfer) onFiles([...e.dataTransfer.files], e.dataTransfer.items);
      }}
    >
      {children}
      <input ref={input} type="file" accept={accept} multiple={multiple} hidden onChange={(e) => onFiles([...(e.currentTarget.files ?? [])])} />
    </div>
  );
}

export function pct(x: number | undefined): string {
  return x === undefined || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(1)}%`;
}

export function seconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '–';
  const m = Math.floor(s / 60);
  return m ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

/** The header of a per-label metrics table (evaluation page and group tabs). */
export function MetricsHead() {
  return (
    <thead>
      <tr>
        <th scope="col">Label</th>
        <th scope="col">Precision</th>
        <th scope="col">Recall</th>
        <th scope="col">F1</th>
        <th scope="col">Threshold</th>
        <th scope="col">Test images</th>
      </tr>
    </thead>
  );
}
