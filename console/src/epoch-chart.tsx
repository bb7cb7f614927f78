// Epoch curves of a fast or fine-tuned training (uPlot): training and validation loss on the left axis,
// validation accuracy on the right, against the epoch. Drawn live from the points the training page
// gathers from StatusMessage, and from DescribeProjectVersionReport's EpochHistory once it is done.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One point of the curves: x is the epoch (fractional while an epoch runs); absent values are gaps. */
export interface EpochPoint {
  epoch: number;
  trainLoss?: number;
  valLoss?: number;
  valAccuracy?: number;
}

export function EpochChart({ points, title }: { points: EpochPoint[]; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  useEffect(() => {
    const sorted = [...points].sort((a, b) => a.epoch - b.epoch);
    const column = (key: keyof EpochPoint) => sorted.map((p) => p[key] ?? null);
    const data: uPlot.AlignedData = [sorted.map((p) => p.epoch), column('trainLoss'), column('valLoss'), column('valAccuracy')];
    const width = Math.min(560, box.current!.clientWidth || 560);
    plot.current?.destroy();
    plot.current = new uPlot(
      {
        width,
        height: 240,
        scales: { x: { time: false }, loss: { range: (_u, _min, max) => [0, Math.max(0.1, max * 1.05)] }, acc: { range: [0, 1] } },
        axes: [
          { label: 'epoch' },
          { scale: 'loss', label: 'loss' },
          { scale: 'acc', side: 1, label: 'validation accuracy', grid: { show: false } },
        ],
        series: [
          { label: 'epoch' },
          { label: 'train loss', scale: 'loss', stroke: '#2563eb', width: 2, spanGaps: true },
          { label: 'val loss', scale: 'loss', stroke: '#f59e0b', width: 2, spanGaps: true, points: { show: true } },
          { label: 'val accuracy', scale: 'acc', stroke: '#15803d', width: 2, spanGaps: true, points: { show: true } },
        ],
        cursor: { show: false },
        // The series names as a key; values under a cursor mean nothing without one.
        legend: { live: false },
      },
      data,
      box.current!,
    );
    return () => {
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [points]);
  const last = points.filter((p) => p.valAccuracy !== undefined).at(-1);
  return (
    <figure class="epochs" data-points={points.length}>
      <div ref={box} role="img" aria-label={`${title}${last ? `; validation accuracy ${(last.valAccuracy! * 100).toFixed(1)}% after epoch ${last.epoch}` : ''}`} />
      <figcaption class="hint">{title}</figcaption>
    </figure>
  );
}

/**
 * The point a fine-tune or fast StatusMessage carries, if any: "finetune 12/40 (epoch 2/4 loss 0.8123 …)"
 * while an epoch runs, "finetune 2/4 (epoch 2/4 loss 0.7 val acc 0.912 …)" when one ends.
 */
export function pointOf(message: string | undefined): EpochPoint | undefined {
  const match = /^(\w[\w-]*) (\d+)\/(\d+) \(epoch (\d+)\/(\d+) loss ([\d.]+)(?: val acc ([\d.]+))?/.exec(message ?? '');
  if (!match) return undefined;
  const [done, total, epoch, epochs] = [2, 3, 4, 5].map((i) => Number(match[i]));
  const loss = Number(match[6]);
  if (match[7] !== undefined) return { epoch: epoch!, trainLoss: loss, valAccuracy: Number(match[7]) };
  // Steps run over every epoch: done/total of the whole run is the fractional epoch.
  return { epoch: total! > 0 ? (done! / total!) * epochs! : epoch!, trainLoss: loss };
}
