import { useEffect, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ChannelOutput, MergeChoice, MergePair, MergeRecord, MergeSide } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Pager } from '../../components/Pager.tsx';
import { ReasonField } from '../../components/ReasonField.tsx';
import { wardName } from '../../components/WardSelect.tsx';
import { formatDate } from '../../i18n/format.ts';

/*
 * Possible duplicates, for a manager: pairs of records that may be one person (what the list
 * shows anyway: code, alias, year; never identity), each opened side by side to merge. What
 * differs is chosen field by field; identity only by someone who may see both.
 */

const PAGE_SIZE = 25;
type Compared = ChannelOutput<'merge.compare'>;
type Field = 'alias' | 'birthYear' | 'sex' | 'ward' | 'workSetting';
const FIELDS: readonly Field[] = ['alias', 'birthYear', 'sex', 'ward', 'workSetting'];

export function MergePage() {
  const { t } = useTranslation();
  const [page, setPage] = useState(0);
  const [list, setList] = useState<{ pairs: MergePair[]; total: number } | null>(null);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const [open, setOpen] = useState<MergePair | null>(null);

  useEffect(() => {
    if (open) return;
    void call('merge.candidates', { offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then((result) => (result.ok ? setList(result.value) : setError(result.error)));
  }, [page, open]);

  if (open) return <MergeTwo pair={open} onBack={() => setOpen(null)} />;

  const sideText = (side: MergeSide) => t('merge.sideText', { code: side.code, alias: side.alias, year: side.birthYear, visits: side.visits, worker: side.workerName ?? t('merge.noWorker') });
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('merge.title')}</h1>
      <p className="intro">{t('merge.intro')}</p>
      <ErrorText error={error} />
      {list && list.pairs.length === 0 ? <p className="muted">{t('merge.none')}</p> : null}
      {list && list.pairs.length > 0 ? (
        <>
          <table className="data-table">
            <caption className="visually-hidden">{t('merge.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('merge.table.first')}</th>
                <th scope="col">{t('merge.table.second')}</th>
                <th scope="col">{t('merge.table.reasons')}</th>
                <th scope="col">{t('merge.table.action')}</th>
              </tr>
            </thead>
            <tbody>
              {list.pairs.map((pair) => (
                <tr key={`${pair.a.id}:${pair.b.id}`}>
                  <td>{sideText(pair.a)}</td>
                  <td>{sideText(pair.b)}</td>
                  <td>{pair.reasons.map((reason) => t(`merge.reasons.${reason}`)).join(', ')}</td>
                  <td>
                    <button type="button" onClick={() => setOpen(pair)} aria-label={`${t('merge.compare')}: ${pair.a.code} · ${pair.b.code}`}>
                      {t('merge.compare')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} total={list.total} pageSize={PAGE_SIZE} label={t('merge.title')} onPage={setPage} />
        </>
      ) : null}
    </section>
  );
}

/** Two records side by side: which one stays, which value of each field, then merge. */
function MergeTwo({ pair, onBack }: { pair: MergePair; onBack: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const navigate = useNavigate();
  const [keepId, setKeepId] = useState(pair.a.visits >= pair.b.visits ? pair.a.id : pair.b.id);
  const otherId = keepId === pair.a.id ? pair.b.id : pair.a.id;
  const [compared, setCompared] = useState<Compared | null>(null);
  const [take, setTake] = useState<MergeChoice>({ alias: 'keep', birthYear: 'keep', sex: 'keep', ward: 'keep', workSetting: 'keep', identity: null });
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    const result = await call('merge.compare', { keepId, otherId });
    if (result.ok) {
      setCompared(result.value);
      setError(null);
    } else setError(result.error);
  };
  useEffect(() => {
    void load();
    setTake({ alias: 'keep', birthYear: 'keep', sex: 'keep', ward: 'keep', workSetting: 'keep', identity: null });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reloads when the kept record changes
  }, [keepId]);

  const reveal = async () => {
    for (const clientId of [keepId, otherId]) {
      const result = await call('clients.identity', { clientId, reason });
      if (!result.ok) return setError(result.error);
    }
    setReason('');
    await load();
  };

  const apply = async () => {
    if (!compared) return;
    if (!window.confirm(t('merge.confirm', { keep: compared.keep.code, other: compared.other.code }))) return;
    setBusy(true);
    const result = await call('merge.apply', { keepId, otherId, take, versions: { keep: compared.keep.version, other: compared.other.version } });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      if (result.error.code === 'RECORD_CHANGED') await load();
      return;
    }
    void navigate(`/clients/${result.value.clientId}`, { state: { notice: t('merge.done') } });
  };

  const value = (record: MergeRecord, field: Field): string => {
    switch (field) {
      case 'alias':
        return record.alias;
      case 'birthYear':
        return String(record.birthYear);
      case 'sex':
        return t(`vocabulary.sex.${record.sex}`);
      case 'ward':
        return record.wardCode === null ? '—' : wardName(record.wardCode);
      case 'workSetting':
        return record.workSetting === null ? '—' : t(`vocabulary.workSetting.${record.workSetting}`);
    }
  };
  const identityText = (record: MergeRecord) =>
    record.identity ? [record.identity.legalName, record.identity.phone, record.identity.idNumber, record.identity.address].filter(Boolean).join(' · ') || t('merge.identityNone') : t('merge.identityNone');

  const choice = (field: Field | 'identity', differs: boolean) => {
    if (!differs) return <span className="muted">{t('merge.same')}</span>;
    const current = take[field] ?? 'keep';
    return (
      <fieldset className="merge-choice">
        <legend className="visually-hidden">{t(`merge.fields.${field}`)}</legend>
        {(['keep', 'other'] as const).map((from) => (
          <label key={from} className="check">
            <input type="radio" name={`${id}-${field}`} checked={current === from} onChange={() => setTake({ ...take, [field]: from })} />
            {t(from === 'keep' ? 'merge.takeKeep' : 'merge.takeOther')}
          </label>
        ))}
      </fieldset>
    );
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{t('merge.compareTitle')}</h1>
      <div className="actions">
        <button type="button" onClick={onBack}>
          {t('merge.back')}
        </button>
      </div>
      <div className="field">
        <label htmlFor={`${id}-keep`}>{t('merge.keepLabel')}</label>
        <select id={`${id}-keep`} value={keepId} onChange={(event) => setKeepId(Number(event.target.value))}>
          {[pair.a, pair.b].map((side) => (
            <option key={side.id} value={side.id}>
              {t('merge.keepOption', { code: side.code, alias: side.alias })}
            </option>
          ))}
        </select>
      </div>
      <ErrorText error={error} />
      {compared ? (
        <>
          <table className="data-table merge-table">
            <caption className="visually-hidden">{t('merge.compareTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('merge.field')}</th>
                <th scope="col">{t('merge.keepColumn', { code: compared.keep.code })}</th>
                <th scope="col">{t('merge.otherColumn', { code: compared.other.code })}</th>
                <th scope="col">{t('merge.take')}</th>
              </tr>
            </thead>
            <tbody>
              {FIELDS.map((field) => (
                <tr key={field}>
                  <th scope="row">{t(`merge.fields.${field}`)}</th>
                  <td>{value(compared.keep, field)}</td>
                  <td>{value(compared.other, field)}</td>
                  <td>{choice(field, value(compared.keep, field) !== value(compared.other, field))}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">{t('merge.fields.identity')}</th>
                {compared.identityVisible ? (
                  <>
                    <td>{identityText(compared.keep)}</td>
                    <td>{identityText(compared.other)}</td>
                    <td>{choice('identity', identityText(compared.keep) !== identityText(compared.other))}</td>
                  </>
                ) : (
                  <td colSpan={3}>{t('merge.identityHidden')}</td>
                )}
              </tr>
              <tr>
                <th scope="row">{t('merge.other.status')}</th>
                <td>{t(`merge.status.${compared.keep.status}`)}</td>
                <td>{t(`merge.status.${compared.other.status}`)}</td>
                <td />
              </tr>
              <tr>
                <th scope="row">{t('merge.other.registeredOn')}</th>
                <td>{formatDate(compared.keep.registeredOn)}</td>
                <td>{formatDate(compared.other.registeredOn)}</td>
                <td />
              </tr>
              <tr>
                <th scope="row">{t('merge.other.worker')}</th>
                <td>{compared.keep.workerName ?? t('merge.noWorker')}</td>
                <td>{compared.other.workerName ?? t('merge.noWorker')}</td>
                <td />
              </tr>
              <tr>
                <th scope="row">{t('merge.other.counts')}</th>
                <td>{t('merge.countsText', compared.keep.counts)}</td>
                <td>{t('merge.countsText', compared.other.counts)}</td>
                <td />
              </tr>
            </tbody>
          </table>
          {compared.keep.restricted || compared.other.restricted ? <p className="message message-warning">{t('merge.restricted')}</p> : null}
          {compared.keep.status !== 'open' || compared.other.status !== 'open' ? <p className="message message-warning">{t('merge.closed')}</p> : null}
          {!compared.identityVisible && (compared.keep.hasIdentity || compared.other.hasIdentity) ? (
            <div className="panel">
              <ReasonField label={t('merge.reason')} value={reason} onChange={setReason} error={error} />
              <div className="actions">
                <button type="button" onClick={() => void reveal()}>
                  {t('merge.reveal')}
                </button>
              </div>
            </div>
          ) : null}
          <div className="actions">
            <button type="button" className="primary" disabled={busy || compared.keep.restricted || compared.other.restricted || compared.keep.status !== 'open' || compared.other.status !== 'open'} onClick={() => void apply()}>
              {t('merge.apply', { code: compared.keep.code })}
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}
