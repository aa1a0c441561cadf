import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { PERIOD_PRESETS, presetPeriod, SERVICE_GROUPS, type Dashboard, type Period, type PeriodPreset } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { BarChart, type ChartSeries } from '../../components/BarChart.tsx';
import { ErrorText } from '../../components/ErrorText.tsx';
import { EmptyRow, TableHead } from '../../components/TableHead.tsx';
import { formatDate, parseDisplayDate, todayIso } from '../../i18n/format.ts';

/** How many service groups the chart draws on their own; the rest are summed as one. */
const CHARTED_GROUPS = 6;

const monthLabel = (month: string) => `${month.slice(5, 7)}/${month.slice(0, 4)}`;

/**
 * The manager's review of the caseload: who holds how many open cases and what is overdue in
 * them (as of today), and what the centre did in a period: new clients, services by group,
 * referrals and how they ended, closures. Counts only; never a client.
 */
export function DashboardPage() {
  const { t } = useTranslation();
  const [preset, setPreset] = useState<PeriodPreset | 'custom'>('thisYear');
  const [period, setPeriod] = useState<Period>(() => presetPeriod('thisYear', todayIso()));
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);

  useEffect(() => {
    void call('dashboard.get', period).then((result) => {
      if (result.ok) {
        setData(result.value);
        setError(null);
      } else setError(result.error);
    });
  }, [period]);

  return (
    <section aria-labelledby="page-title" className="dashboard">
      <h1 id="page-title">{t('dashboard.title')}</h1>
      <p className="intro">{t('dashboard.intro')}</p>
      <PeriodPicker
        preset={preset}
        period={period}
        onChange={(next, nextPreset) => {
          setPreset(nextPreset);
          setPeriod(next);
        }}
      />
      <ErrorText error={error} />
      {data ? (
        <>
          <Totals data={data} />
          <WorkerTable data={data} />
          <div className="chart-grid">
            <BarChart
              title={t('dashboard.newClients')}
              valueLabel={t('dashboard.month')}
              categories={data.months.map(monthLabel)}
              series={[{ key: 'new', label: t('dashboard.newClientsSeries'), values: data.newClients.map((row) => row.count) }]}
            />
            <BarChart title={t('dashboard.services')} valueLabel={t('dashboard.month')} categories={data.months.map(monthLabel)} series={serviceSeries(data, t)} stacked />
            <BarChart
              title={t('dashboard.referrals')}
              valueLabel={t('dashboard.referralGroup')}
              categories={data.referrals.map((row) => t(`vocabulary.serviceGroup.${row.group}`))}
              series={[
                { key: 'made', label: t('dashboard.made'), values: data.referrals.map((row) => row.made) },
                { key: 'completed', label: t('dashboard.completed'), values: data.referrals.map((row) => row.completed) },
              ]}
            />
            <BarChart
              title={t('dashboard.closures')}
              valueLabel={t('case.reason')}
              categories={data.closures.map((row) => t(`vocabulary.closeReason.${row.reason}`))}
              series={[{ key: 'closed', label: t('dashboard.closed'), values: data.closures.map((row) => row.count) }]}
            />
          </div>
          <ReferralOutcomes data={data} />
        </>
      ) : null}
    </section>
  );
}

function PeriodPicker({ preset, period, onChange }: { preset: PeriodPreset | 'custom'; period: Period; onChange: (period: Period, preset: PeriodPreset | 'custom') => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [from, setFrom] = useState(formatDate(period.from));
  const [to, setTo] = useState(formatDate(period.to));
  const [invalid, setInvalid] = useState(false);
  return (
    <form
      className="filters period-picker"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const start = parseDisplayDate(from);
        const end = parseDisplayDate(to);
        setInvalid(!start || !end);
        if (start && end) onChange({ from: start, to: end }, 'custom');
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-preset`}>{t('dashboard.period')}</label>
        <select
          id={`${id}-preset`}
          value={preset}
          onChange={(event) => {
            const value = event.target.value as PeriodPreset | 'custom';
            if (value === 'custom') return onChange(period, 'custom');
            const next = presetPeriod(value, todayIso());
            setFrom(formatDate(next.from));
            setTo(formatDate(next.to));
            onChange(next, value);
          }}
        >
          {PERIOD_PRESETS.map((each) => (
            <option key={each} value={each}>
              {t(`periods.${each}`)}
            </option>
          ))}
          <option value="custom">{t('periods.custom')}</option>
        </select>
      </div>
      {(['from', 'to'] as const).map((end) => (
        <div className="field date" key={end}>
          <label htmlFor={`${id}-${end}`}>{t(`audit.${end}`)}</label>
          <input
            id={`${id}-${end}`}
            placeholder="dd/mm/yyyy"
            inputMode="numeric"
            value={end === 'from' ? from : to}
            aria-invalid={invalid ? true : undefined}
            aria-describedby={invalid ? `${id}-error` : undefined}
            onChange={(event) => (end === 'from' ? setFrom(event.target.value) : setTo(event.target.value))}
          />
        </div>
      ))}
      <div className="actions">
        <button type="submit">{t('dashboard.show')}</button>
      </div>
      {invalid ? (
        <p className="field-error" id={`${id}-error`}>
          {t('validation.dateFormat')}
        </p>
      ) : null}
    </form>
  );
}

function Totals({ data }: { data: Dashboard }) {
  const { t } = useTranslation();
  const rate = data.totals.referralsMade ? Math.round((data.totals.referralsCompleted / data.totals.referralsMade) * 100) : null;
  const figures = [
    ['openCases', data.totals.openCases],
    ['newClientsTotal', data.totals.newClients],
    ['servicesTotal', data.totals.services],
    ['referralsMade', data.totals.referralsMade],
    ['referralsCompleted', rate === null ? data.totals.referralsCompleted : `${data.totals.referralsCompleted} (${rate}%)`],
    ['closuresTotal', data.totals.closures],
  ] as const;
  return (
    <dl className="totals">
      {figures.map(([key, value]) => (
        <div key={key}>
          <dt>{t(`dashboard.${key}`)}</dt>
          <dd>{typeof value === 'number' ? value.toLocaleString('vi-VN') : value}</dd>
        </div>
      ))}
    </dl>
  );
}

function WorkerTable({ data }: { data: Dashboard }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="workers-title">
      <h2 id="workers-title">{t('dashboard.workers')}</h2>
      <p className="hint">{t('dashboard.workersHint', { months: data.reviewIntervalMonths })}</p>
      <table className="data-table worker-table">
        <TableHead
          caption={t('dashboard.workers')}
          columns={[
            t('dashboard.worker'),
            t('dashboard.openCases'),
            t('todo.kind.follow_up'),
            t('todo.kind.referral_overdue'),
            t('dashboard.consents'),
            t('dashboard.noContact'),
            t('dashboard.notReviewed'),
            t('todo.kind.offer'),
            { hidden: t('dashboard.actions') },
          ]}
        />
        <tbody>
          {data.workers.length === 0 ? <EmptyRow columns={9} text={t('dashboard.noWorkers')} /> : null}
          {data.workers.map((worker) => (
            <tr key={worker.workerId} className={worker.active ? undefined : 'attention'}>
              <th scope="row">
                {worker.name}
                {worker.active ? null : <span className="badge badge-expired"> {t('dashboard.left')}</span>}
              </th>
              <td className="number">{worker.openCases}</td>
              <td className="number">{worker.todo.follow_up}</td>
              <td className="number">{worker.todo.referral_overdue}</td>
              <td className="number">{worker.todo.consent_expired + worker.todo.consent_expiring}</td>
              <td className="number">
                {worker.todo.no_contact}
                {worker.noContactUrgent ? <span className="muted"> ({t('dashboard.urgent', { count: worker.noContactUrgent })})</span> : null}
              </td>
              <td className="number">{worker.notReviewed}</td>
              <td className="number">{worker.todo.offer}</td>
              <td className="actions-cell">
                <div className="row-actions">
                  <Link to={`/clients?worker=${worker.workerId}`} aria-label={t('dashboard.casesOf', { name: worker.name })}>
                    {t('dashboard.cases')}
                  </Link>
                  {worker.openCases > 0 ? (
                    <Link to={`/review/reassign?from=${worker.workerId}`} aria-label={t('dashboard.reassignFrom', { name: worker.name })}>
                      {t('dashboard.reassign')}
                    </Link>
                  ) : null}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The biggest groups of the period on their own, the rest as one; the table keeps every group. */
function serviceSeries(data: Dashboard, t: (key: string) => string): ChartSeries[] {
  const totals = new Map<string, number>();
  for (const row of data.services) totals.set(row.group, (totals.get(row.group) ?? 0) + row.count);
  const ranked = SERVICE_GROUPS.filter((group) => totals.has(group)).sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0));
  const own = ranked.length > CHARTED_GROUPS + 1 ? ranked.slice(0, CHARTED_GROUPS) : ranked;
  const rest = ranked.filter((group) => !own.includes(group));
  const valuesFor = (groups: readonly string[]) => data.months.map((month) => data.services.filter((row) => row.month === month && groups.includes(row.group)).reduce((sum, row) => sum + row.count, 0));
  return [
    ...own.map((group) => ({ key: group, label: t(`vocabulary.serviceGroup.${group}`), values: valuesFor([group]) })),
    ...(rest.length ? [{ key: 'rest', label: t('dashboard.otherGroups'), values: valuesFor(rest) }] : []),
  ];
}

/** What became of the period's referrals, group by group: rate and median time to completion too. */
function ReferralOutcomes({ data }: { data: Dashboard }) {
  const { t } = useTranslation();
  if (!data.referrals.length) return null;
  return (
    <section className="panel" aria-labelledby="referral-outcomes">
      <h2 id="referral-outcomes">{t('dashboard.referralOutcomes')}</h2>
      <table className="data-table compact">
        <TableHead
          caption={t('dashboard.referralOutcomes')}
          columns={[t('dashboard.referralGroup'), t('dashboard.made'), t('dashboard.completed'), t('dashboard.rate'), t('dashboard.medianDays'), t('dashboard.declinedLost'), t('dashboard.stillOpen')]}
        />
        <tbody>
          {data.referrals.map((row) => (
            <tr key={row.group}>
              <th scope="row">{t(`vocabulary.serviceGroup.${row.group}`)}</th>
              <td className="number">{row.made}</td>
              <td className="number">{row.completed}</td>
              <td className="number">{row.made ? `${Math.round((row.completed / row.made) * 100)}%` : '—'}</td>
              <td className="number">{row.medianDays === null ? '—' : row.medianDays.toLocaleString('vi-VN')}</td>
              <td className="number">{row.declined + row.lost}</td>
              <td className="number">{row.open}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
