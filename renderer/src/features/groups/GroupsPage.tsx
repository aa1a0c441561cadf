import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { AGE_BANDS, GROUP_KINDS, recordGroupInputSchema, SEXES, VISIT_PLACES, type AgeBand, type ChannelOutput, type Sex } from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { useCan } from '../../app/session.ts';
import { DateInput } from '../../components/DateInput.tsx';
import { ErrorText, Notice } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { FormActions } from '../../components/FormActions.tsx';
import { Pager } from '../../components/Pager.tsx';
import { SelectField, VocabularyOptions } from '../../components/SelectField.tsx';
import { EmptyRow, TableHead } from '../../components/TableHead.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { useLoaded } from '../../components/useLoaded.ts';
import { usePaged } from '../../components/usePaged.ts';
import { formatDate, todayIso } from '../../i18n/format.ts';
import { useCatalogue } from '../clients/useCatalogue.ts';
import { OwnClientPicker, type PickedClient } from './OwnClientPicker.tsx';

const PAGE_SIZE = 50;

/** "Sinh hoạt nhóm": the sessions held, newest first, with how many came (never who). */
export function GroupsPage() {
  const { t } = useTranslation();
  const canWrite = useCan('clients.write');
  const notice = (useLocation().state as { notice?: string } | null)?.notice ?? null;
  const { page, setPage, data: loaded, error } = usePaged((offset, limit) => call('groups.list', { offset, limit }), PAGE_SIZE);
  const data = loaded ?? { total: 0, rows: [] };
  return (
    <section aria-labelledby="page-title">
      <div className="page-heading">
        <h1 id="page-title">{t('groups.title')}</h1>
        {canWrite ? (
          <Link className="button primary" to="/groups/new">
            {t('groups.record')}
          </Link>
        ) : null}
      </div>
      <p className="intro">{t('groups.intro')}</p>
      <Notice text={notice} />
      <ErrorText error={error} />
      <table className="data-table">
        <TableHead caption={t('groups.title')} columns={[t('groups.heldOn'), t('groups.kind'), t('groups.topic'), t('visit.place'), t('groups.registered'), t('groups.others'), t('groups.recordedBy')]} />
        <tbody>
          {data.rows.length === 0 ? <EmptyRow columns={7} text={t('groups.none')} /> : null}
          {data.rows.map((row) => (
            <tr key={row.id}>
              <td>
                <Link to={`/groups/${row.id}`} aria-label={t('groups.openLabel', { date: formatDate(row.heldOn), topic: row.topic })}>
                  {formatDate(row.heldOn)}
                </Link>
              </td>
              <td>{t(`vocabulary.groupKind.${row.kind}`)}</td>
              <td>{row.topic}</td>
              <td>{t(`vocabulary.visitPlace.${row.place}`)}</td>
              <td className="number">{row.registered}</td>
              <td className="number">{row.others}</td>
              <td>{row.recordedByName ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.total > PAGE_SIZE ? <Pager page={page} total={data.total} pageSize={PAGE_SIZE} label={t('groups.title')} onPage={setPage} /> : null}
    </section>
  );
}

type OthersGrid = Partial<Record<`${Sex}|${AgeBand}`, string>>;

/** Record a session: what, when, where, who led it; the clients she holds who came; how many others, by sex and age band. */
export function GroupForm() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { types } = useCatalogue();
  const peerGroup = types.find((type) => type.code === 'peer_group');
  const [clients, setClients] = useState<PickedClient[]>([]);
  const [others, setOthers] = useState<OthersGrid>({});
  const { form, errors, busy, error, submit } = useContractForm(recordGroupInputSchema, {
    defaultValues: { heldOn: todayIso(), kind: 'peer_group', place: 'centre', topic: '', ledBy: '', serviceTypeId: 0, clientIds: [], others: [] },
    focus: 'topic',
  });
  const othersList = () =>
    SEXES.flatMap((sex) =>
      AGE_BANDS.map((ageBand) => ({ sex, ageBand, text: others[`${sex}|${ageBand}`]?.trim() ?? '' }))
        .filter((cell) => cell.text !== '' && cell.text !== '0')
        .map((cell) => ({ sex: cell.sex, ageBand: cell.ageBand, count: Number(cell.text) })),
    );
  const othersTotal = othersList().reduce((sum, cell) => sum + (Number.isFinite(cell.count) ? cell.count : 0), 0);
  // The peer-group service is what most sessions give, chosen once the catalogue is read.
  const peerGroupId = peerGroup?.id;
  useEffect(() => {
    if (peerGroupId && !form.getValues('serviceTypeId')) form.setValue('serviceTypeId', peerGroupId);
  }, [form, peerGroupId]);
  return (
    <section aria-labelledby="page-title">
      <p>
        <Link to="/groups">{t('groups.back')}</Link>
      </p>
      <h1 id="page-title">{t('groups.record')}</h1>
      <p className="intro">{t('groups.formIntro')}</p>
      <form
        noValidate
        className="panel"
        onSubmit={(event) => {
          form.setValue('clientIds', clients.map((client) => client.clientId));
          form.setValue('others', othersList());
          return form.handleSubmit((values) =>
            submit(
              () => call('groups.record', values),
              (result) =>
                navigate(`/groups/${result.sessionId}`, {
                  state: { notice: t('groups.saved', { date: formatDate(values.heldOn), registered: values.clientIds.length, others: values.others.reduce((sum, cell) => sum + cell.count, 0) }) },
                }),
            ),
          )(event);
        }}
      >
        <div className="form-grid">
          <DateInput control={form.control} name="heldOn" label={t('groups.heldOn')} />
          <SelectField label={t('groups.kind')} registration={form.register('kind')} error={errors.kind}>
            <VocabularyOptions list="groupKind" values={GROUP_KINDS} />
          </SelectField>
          <Field label={t('groups.topic')} hint={t('groups.topicHint')} registration={form.register('topic')} error={errors.topic} autoComplete="off" />
          <Field label={t('groups.ledBy')} hint={t('groups.ledByHint')} registration={form.register('ledBy')} error={errors.ledBy} autoComplete="off" />
          <SelectField label={t('visit.place')} registration={form.register('place')} error={errors.place}>
            <VocabularyOptions list="visitPlace" values={VISIT_PLACES} />
          </SelectField>
          <SelectField
            label={t('groups.service')}
            hint={t('groups.serviceHint')}
            registration={form.register('serviceTypeId', { setValueAs: (value) => Number(value) })}
            error={errors.serviceTypeId}
          >
            {types
              .filter((type) => type.active)
              .map((type) => (
                <option key={type.id} value={type.id}>
                  {i18n.language === 'en' ? type.nameEn : type.nameVi}
                </option>
              ))}
          </SelectField>
        </div>
        <OwnClientPicker
          chosen={clients}
          onChange={(chosen) => {
            setClients(chosen);
            form.clearErrors('clientIds');
          }}
          label={t('groups.registeredLegend')}
        />
        {errors.clientIds ? (
          <p className="field-error" role="alert">
            {t(`validation.${errors.clientIds.message ?? 'invalid'}`)}
          </p>
        ) : null}
        <fieldset className="field">
          <legend>{t('groups.othersLegend')}</legend>
          <p className="hint">{t('groups.othersHint')}</p>
          <table className="data-table compact others-grid">
            <caption className="visually-hidden">{t('groups.othersLegend')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('clients.sex')}</th>
                {AGE_BANDS.map((age) => (
                  <th key={age} scope="col">
                    {t(`vocabulary.ageBand.${age}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {SEXES.map((sex) => (
                <tr key={sex}>
                  <th scope="row">{t(`vocabulary.sex.${sex}`)}</th>
                  {AGE_BANDS.map((age) => (
                    <td key={age}>
                      <input
                        className="count-input"
                        inputMode="numeric"
                        maxLength={3}
                        aria-label={t('groups.othersCell', { sex: t(`vocabulary.sex.${sex}`), age: t(`vocabulary.ageBand.${age}`) })}
                        value={others[`${sex}|${age}`] ?? ''}
                        onChange={(event) => {
                          setOthers({ ...others, [`${sex}|${age}`]: event.target.value.replace(/[^0-9]/g, '') });
                          form.clearErrors(['clientIds', 'others']);
                        }}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted" aria-live="polite">
            {t('groups.othersTotal', { count: othersTotal })}
          </p>
          {errors.others ? <p className="field-error">{t(`validation.${errors.others.message ?? 'invalid'}`)}</p> : null}
        </fieldset>
        <ErrorText error={error} />
        <FormActions cancelTo="/groups" busy={busy} sticky />
      </form>
    </section>
  );
}

/** One session: what it was, the clients the viewer may see among those who came, and how many others. */
export function GroupSessionPage() {
  const { t } = useTranslation();
  const sessionId = Number(useParams().sessionId);
  const canWrite = useCan('clients.write');
  const [notice, setNotice] = useState((useLocation().state as { notice?: string } | null)?.notice ?? null);
  const { nameOf } = useCatalogue();
  const { data: session, error, reload } = useLoaded(() => call('groups.get', { sessionId }), null as ChannelOutput<'groups.get'> | null);
  const [adding, setAdding] = useState<PickedClient[]>([]);
  const [addError, setAddError] = useState<ClientErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  if (!session) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{t('groups.session')}</h1>
        <ErrorText error={error} />
      </section>
    );
  }
  const add = async () => {
    setBusy(true);
    const result = await call('groups.attend', { sessionId, clientIds: adding.map((client) => client.clientId) });
    setBusy(false);
    if (!result.ok) return setAddError(result.error);
    setAddError(null);
    setAdding([]);
    setNotice(t('groups.addedNotice', { count: result.value.added }));
    await reload();
  };
  return (
    <section aria-labelledby="page-title">
      <p>
        <Link to="/groups">{t('groups.back')}</Link>
      </p>
      <h1 id="page-title">{t('groups.sessionTitle', { kind: t(`vocabulary.groupKind.${session.kind}`), date: formatDate(session.heldOn) })}</h1>
      <Notice text={notice} />
      <dl className="facts panel">
        <dt>{t('groups.topic')}</dt>
        <dd>{session.topic}</dd>
        <dt>{t('visit.place')}</dt>
        <dd>{t(`vocabulary.visitPlace.${session.place}`)}</dd>
        <dt>{t('groups.ledBy')}</dt>
        <dd>{session.ledBy ?? '—'}</dd>
        <dt>{t('groups.service')}</dt>
        <dd>{nameOf(session.serviceTypeId)}</dd>
        <dt>{t('groups.recordedBy')}</dt>
        <dd>{session.recordedByName ?? '—'}</dd>
        <dt>{t('groups.attendance')}</dt>
        <dd>{t('groups.attendanceCounts', { registered: session.registered, others: session.others })}</dd>
      </dl>
      <section className="panel restricted" aria-labelledby="attendees-title">
        <h2 id="attendees-title">{t('groups.attendees')}</h2>
        {session.attendees.length === 0 ? <p className="muted">{t('groups.noAttendeesShown')}</p> : null}
        <ul>
          {session.attendees.map((client) => (
            <li key={client.clientId}>
              <Link to={`/clients/${client.clientId}`}>
                <span className="code">{client.code}</span> · {client.alias}
              </Link>
            </li>
          ))}
        </ul>
        {session.hiddenAttendees ? <p className="muted">{t('groups.hidden', { count: session.hiddenAttendees })}</p> : null}
        {session.othersByCell.length ? (
          <p>
            {t('groups.othersWere')}{' '}
            {session.othersByCell.map((cell) => t('groups.othersCellText', { count: cell.count, sex: t(`vocabulary.sex.${cell.sex}`), age: t(`vocabulary.ageBand.${cell.ageBand}`) })).join('; ')}
          </p>
        ) : null}
      </section>
      {canWrite ? (
        <section className="panel" aria-labelledby="attend-title" data-form-part>
          <h2 id="attend-title">{t('groups.addMine')}</h2>
          <p className="hint">{t('groups.addMineHint')}</p>
          <OwnClientPicker chosen={adding} onChange={setAdding} label={t('groups.registeredLegend')} />
          <ErrorText error={addError} />
          {adding.length ? <FormActions busy={busy} submitLabel={t('groups.addMineSave')} onSubmit={() => void add()} /> : null}
        </section>
      ) : null}
    </section>
  );
}
