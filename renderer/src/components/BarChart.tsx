import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Colours that keep 3:1 contrast against white (and against each other's neighbours in a stack). */
export const CHART_COLOURS = ['#0d5c58', '#b35c00', '#6a3d9a', '#1f6fb4', '#a4262c', '#33691e', '#5f6b6b'];

export interface ChartSeries {
  key: string;
  label: string;
  values: number[];
}

const WIDTH = 640;
const HEIGHT = 220;
const LEFT = 40;
const BOTTOM = 28;
const TOP = 8;

/** A round upper bound for the axis and its ticks: 0, ¼, ½, ¾ and all of it. */
export function axisMax(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 4, 5, 10].find((factor) => factor * magnitude >= max) ?? 10;
  return step * magnitude;
}

/**
 * A bar chart (grouped, or stacked) drawn as SVG, with the same numbers as a table: the table is
 * always there for screen readers, and shown instead of the chart on request (for copying).
 */
export function BarChart({
  title,
  categories,
  series,
  stacked = false,
  valueLabel,
}: {
  title: string;
  categories: string[];
  series: ChartSeries[];
  stacked?: boolean;
  /** The header of the table's first column. */
  valueLabel: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [asTable, setAsTable] = useState(false);
  const totals = categories.map((_, index) => series.reduce((sum, each) => sum + (each.values[index] ?? 0), 0));
  const max = axisMax(Math.max(0, ...(stacked ? totals : series.flatMap((each) => each.values))));
  const plotWidth = WIDTH - LEFT - 8;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(1, categories.length);
  // Few categories make wide slots: bars stay narrow enough to read as bars.
  const barWidth = Math.min(48, stacked ? slot * 0.6 : (slot * 0.75) / Math.max(1, series.length));
  const y = (value: number) => TOP + plotHeight - (value / max) * plotHeight;
  const labelEvery = Math.ceil(categories.length / 12);
  const empty = totals.every((total) => total === 0);

  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <div className="chart-heading">
        <figcaption id={`${id}-title`}>{title}</figcaption>
        <div className="chart-toggle" role="group" aria-label={t('chart.view', { title })}>
          <button type="button" aria-pressed={!asTable} onClick={() => setAsTable(false)}>
            {t('chart.chart')}
          </button>
          <button type="button" aria-pressed={asTable} onClick={() => setAsTable(true)}>
            {t('chart.table')}
          </button>
        </div>
      </div>
      {empty ? <p className="muted">{t('chart.empty')}</p> : null}
      {!asTable && !empty ? (
        <>
          <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="chart-svg" aria-hidden="true" focusable="false">
            {[0, 0.25, 0.5, 0.75, 1].map((share) => (
              <g key={share}>
                <line x1={LEFT} x2={WIDTH - 8} y1={y(max * share)} y2={y(max * share)} className="chart-grid" />
                <text x={LEFT - 6} y={y(max * share) + 4} textAnchor="end" className="chart-tick">
                  {Math.round(max * share).toLocaleString('vi-VN')}
                </text>
              </g>
            ))}
            {categories.map((category, index) => {
              const x = LEFT + index * slot + (slot - (stacked ? barWidth : barWidth * series.length)) / 2;
              let base = 0;
              return (
                <g key={category}>
                  {series.map((each, seriesIndex) => {
                    const value = each.values[index] ?? 0;
                    const top = stacked ? base + value : value;
                    const bar = (
                      <rect
                        key={each.key}
                        x={stacked ? x : x + seriesIndex * barWidth}
                        y={y(top)}
                        width={Math.max(1, barWidth - (stacked ? 0 : 2))}
                        height={Math.max(0, y(stacked ? base : 0) - y(top))}
                        fill={CHART_COLOURS[seriesIndex % CHART_COLOURS.length]}
                        className="chart-bar"
                      />
                    );
                    base = top;
                    return bar;
                  })}
                  {index % labelEvery === 0 ? (
                    <text x={LEFT + index * slot + slot / 2} y={HEIGHT - 10} textAnchor="middle" className="chart-tick">
                      {category}
                    </text>
                  ) : null}
                </g>
              );
            })}
          </svg>
          {series.length > 1 ? (
            <ul className="chart-legend" aria-hidden="true">
              {series.map((each, index) => (
                <li key={each.key}>
                  <span className="swatch" style={{ background: CHART_COLOURS[index % CHART_COLOURS.length] }} />
                  {each.label}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
      {/* Scrolls when long: focusable so that it scrolls from the keyboard too. */}
      <div className={asTable ? 'chart-table' : 'visually-hidden'} {...(asTable ? { tabIndex: 0, role: 'region', 'aria-label': title } : {})}>
        <table className="data-table">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{valueLabel}</th>
              {series.map((each) => (
                <th scope="col" key={each.key}>
                  {each.label}
                </th>
              ))}
              {stacked && series.length > 1 ? <th scope="col">{t('chart.total')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {categories.map((category, index) => (
              <tr key={category}>
                <th scope="row">{category}</th>
                {series.map((each) => (
                  <td key={each.key} className="number">
                    {(each.values[index] ?? 0).toLocaleString('vi-VN')}
                  </td>
                ))}
                {stacked && series.length > 1 ? <td className="number">{(totals[index] ?? 0).toLocaleString('vi-VN')}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
