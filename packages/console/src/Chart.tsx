import { useEffect, useRef } from 'react';
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, MarkLineComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, AriaComponent, CanvasRenderer]);

export interface ChartSeries {
  readonly name: string;
  readonly kind: 'bar' | 'line';
  /** One value per category (`null`: nothing to show). */
  readonly values: readonly (number | null)[];
}

export interface ChartProps {
  readonly id: string;
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  readonly unit: string;
  /** Horizontal reference lines (targets). */
  readonly lines?: readonly { readonly name: string; readonly value: number }[];
  readonly max?: number;
}

/**
 * An Apache ECharts chart (canvas) with the same numbers in a table beside it, for screen readers
 * and for the tests; the figures drawn are also on the element as `data-chart` (JSON).
 */
const NO_LINES: NonNullable<ChartProps['lines']> = [];

export function Chart({ id, title, categories, series, unit, lines = NO_LINES, max }: ChartProps) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = element.current;
    if (el === null) return undefined;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      aria: { enabled: true, label: { description: `${title}: the table below holds the same figures.` } },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: [...categories] },
      yAxis: { type: 'value', name: unit, ...(max !== undefined ? { max } : {}) },
      series: series.map((s, i) => ({
        name: s.name,
        type: s.kind,
        data: [...s.values],
        connectNulls: true,
        ...(i === 0 && lines.length > 0
          ? { markLine: { symbol: 'none', silent: true, data: lines.map((l) => ({ name: l.name, yAxis: l.value, label: { formatter: l.name, position: 'insideEndTop' } })) } }
          : {}),
      })),
    });
    const onResize = (): void => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [title, categories, series, unit, lines, max]);
  const data = JSON.stringify({ categories, series: series.map((s) => ({ name: s.name, values: s.values })), lines });
  return (
    <figure className="chart" data-testid={id}>
      <figcaption>{title}</figcaption>
      <div ref={element} className="chart-canvas" data-chart={data} role="img" aria-label={`${title} (chart; the same figures are in the table below)`} />
      <table className="chart-table" data-testid={`${id}-table`}>
        <caption className="sr-only">{title}</caption>
        <thead>
          <tr>
            <th scope="col">Series</th>
            {categories.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {series.map((s) => (
            <tr key={s.name} data-series={s.name}>
              <th scope="row">{s.name}</th>
              {s.values.map((v, i) => (
                <td key={i} data-value={v ?? ''}>
                  {v === null ? '—' : `${v} ${unit}`}
                </td>
              ))}
            </tr>
          ))}
          {lines.map((l) => (
            <tr key={l.name}>
              <th scope="row">{l.name}</th>
              <td colSpan={Math.max(1, categories.length)}>
                {l.value} {unit}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
