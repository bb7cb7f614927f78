// The precision-recall curve of one label over all thresholds (uPlot), with the point the current
// threshold gives marked.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { labelAt, prCurve, type Scored } from './metrics.js';

export function PrCurve({ labels, items, k, threshold }: { labels: string[]; items: Scored[]; k: number; threshold: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  useEffect(() => {
    const curve = prCurve(labels, items, k);
    const at = labelAt(labels, items, k, threshold);
    const marker = curve.recall.map((r) => (Math.abs(r - at.recall) < 1e-9 ? at.precision : null));
    const width = Math.min(480, box.current!.clientWidth || 480);
    plot.current?.destroy();
    plot.current = new uPlot(
      {
        width,
        height: 260,
        scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1.02] } },
        axes: [{ label: 'recall' }, { label: 'precision' }],
        legend: { show: false },
        cursor: { show: false },
        series: [{}, { stroke: '#2563eb', width: 2 }, { stroke: 'transparent', points: { show: true, size: 10, stroke: '#dc2626', fill: '#dc2626' } }],
      },
      [curve.recall, curve.precision, marker],
      box.current!,
    );
    return () => {
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [labels, items, k, threshold]);
  return <div ref={box} class="pr" role="img" aria-label={`Precision-recall curve of ${labels[k]}; the red point is the current threshold`} />;
}
