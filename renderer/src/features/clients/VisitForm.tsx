import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ReactNode } from 'react';
import type { z } from 'zod';
import type { Control, FieldErrors, FieldValues, Path, UseFormRegister } from 'react-hook-form';
import { correctVisitInputSchema, recordVisitInputSchema, VISIT_PLACES, type ClientPage, type ServiceType, type VisitView } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { DateInput } from '../../components/DateInput.tsx';
import { ErrorText } from '../../components/ErrorText.tsx';
import { Field } from '../../components/Field.tsx';
import { SelectField } from '../../components/SelectField.tsx';
import { useNowSaved } from '../../components/useNowSaved.ts';
import { useContractForm } from '../../components/useContractForm.ts';
import { formatDate, todayIso } from '../../i18n/format.ts';
import { useLoaded } from '../../components/useLoaded.ts';
import { ServiceChoices } from './ServiceChoices.tsx';
import { useCatalogue } from './useCatalogue.ts';
import { FormActions } from '../../components/FormActions.tsx';
import { NowSaved } from '../rights/NowSaved.tsx';
import { VocabularyOptions } from '../../components/SelectField.tsx';

/** Record a visit: date (today by default), place, several services, outcome, a restricted note, the next follow-up. */
export function VisitForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const clientId = Number(useParams().clientId);
  // Opened from the to-do list: back there once the visit is saved (the follow-up is then gone from it).
  const back = useSearchParams()[0].get('back') === 'todo' ? '/todo' : `/clients/${clientId}`;
  const { types, nameOf } = useCatalogue();
  const { data: frequent } = useLoaded(() => call('catalogue.frequent', {}), { serviceTypeIds: [] as number[] });
  // Today at the centre is the usual visit: the services come first.
  const { form, errors, busy, error, submit } = useContractForm(recordVisitInputSchema, {
    defaultValues: { clientId, visitOn: todayIso(), place: 'centre', serviceTypeIds: [], outcome: '', note: '', nextFollowUpOn: null },
    focus: 'serviceTypeIds',
  });
  return (
    <section aria-labelledby="page-title">
      <p>
        <Link to={`/clients/${clientId}`}>{t('clients.backToRecord')}</Link>
      </p>
      <h1 id="page-title">{t('visit.record')}</h1>
      <form
        noValidate
        className="panel"
        onSubmit={form.handleSubmit((values) =>
          submit(
            () => call('visits.record', values),
            // Back where she came from, told what was saved.
            () =>
              navigate(back, {
                state: {
                  notice: [
                    t('visit.saved', { date: formatDate(values.visitOn), services: values.serviceTypeIds.map(nameOf).join(', ') }),
                    values.nextFollowUpOn ? t('visit.savedFollowUp', { date: formatDate(values.nextFollowUpOn) }) : '',
                  ].join(' ').trim(),
                },
              }),
          ),
        )}
      >
        <VisitFields
          control={form.control}
          register={form.register}
          errors={errors}
          types={types}
          frequent={frequent.serviceTypeIds}
          followUp={<DateInput control={form.control} name="nextFollowUpOn" label={t('visit.nextFollowUp')} hint={t('visit.nextFollowUpHint')} />}
        />
        <ErrorText error={error} />
        <FormActions cancelTo={back} busy={busy} sticky />
      </form>
    </section>
  );
}

/**
 * Correct a visit recorded wrongly (her worker): the same fields, filled with what was recorded.
 * Each change goes into the history of corrections shown on her page.
 */
export function VisitCorrection() {
  const clientId = Number(useParams().clientId);
  const visitId = Number(useParams().visitId);
  const { data: page, error } = useLoaded(() => call('clients.get', { clientId }), null as ClientPage | null);
  const visit = page?.visits.find((row) => row.id === visitId) ?? null;
  if (error) return <ErrorText error={error} />;
  return visit ? <CorrectVisitForm clientId={clientId} visit={visit} /> : null;
}

function CorrectVisitForm({ clientId, visit }: { clientId: number; visit: VisitView }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const back = `/clients/${clientId}`;
  const { types } = useCatalogue();
  const { form, errors, busy, error, submit } = useContractForm(correctVisitInputSchema, {
    defaultValues: { visitId: visit.id, visitOn: visit.visitOn, place: visit.place, serviceTypeIds: visit.serviceTypeIds, outcome: visit.outcome ?? '', note: visit.note ?? '', version: visit.version },
    focus: 'place',
  });
  // Changed at another PC since the form opened: the visit as it is now (her typing stays).
  const { now, afterSave } = useNowSaved<VisitView>(
    async () => {
      const fresh = await call('clients.get', { clientId });
      return fresh.ok ? fresh.value.visits.find((row) => row.id === visit.id) : undefined;
    },
    (current) => form.setValue('version', current.version),
  );
  const save = async (values: z.output<typeof correctVisitInputSchema>) => afterSave(await call('visits.correct', values));
  return (
    <section aria-labelledby="page-title">
      <p>
        <Link to={back}>{t('clients.backToRecord')}</Link>
      </p>
      <h1 id="page-title">{t('visit.correctTitle', { date: formatDate(visit.visitOn) })}</h1>
      <p className="intro">{t('visit.correctHint')}</p>
      <form
        noValidate
        className="panel"
        onSubmit={form.handleSubmit((values) =>
          submit(
            () => save(values),
            (result) => navigate(back, { state: { notice: t(result.changedFields ? 'visit.corrected' : 'visit.unchanged') } }),
          ),
        )}
      >
        <VisitFields control={form.control} register={form.register} errors={errors} types={types} keep={visit.serviceTypeIds} />
        <ErrorText error={error} />
        {now ? (
          <NowSaved
            entity="visit"
            values={[
              ['visitOn', now.visitOn],
              ['place', now.place],
              ['services', now.serviceTypeIds.join(',')],
              ['outcome', now.outcome],
              ['note', now.note],
            ]}
          />
        ) : null}
        <FormActions cancelTo={back} busy={busy} sticky />
      </form>
    </section>
  );
}

/** What a visit is, as both forms ask it: date, place, services, (the next follow-up and) the outcome, a restricted note. */
function VisitFields<V extends FieldValues>({
  control,
  register,
  errors: formErrors,
  types,
  keep,
  frequent,
  followUp,
}: {
  control: Control<V>;
  register: UseFormRegister<V>;
  errors: FieldErrors<V>;
  types: ServiceType[];
  keep?: readonly number[];
  frequent?: readonly number[];
  followUp?: ReactNode;
}) {
  const { t } = useTranslation();
  const name = (field: keyof VisitValues) => field as Path<V>;
  const errors = formErrors as FieldErrors<VisitValues>;
  return (
    <>
      <div className="form-grid">
        <DateInput control={control} name={name('visitOn')} label={t('visit.date')} />
        <SelectField label={t('visit.place')} registration={register(name('place'))} error={errors.place}>
          <VocabularyOptions list="visitPlace" values={VISIT_PLACES} />
        </SelectField>
      </div>
      <ServiceChoices types={types} control={control} name={name('serviceTypeIds')} keep={keep} frequent={frequent} />
      <div className={followUp ? 'form-grid' : undefined}>
        {followUp}
        <Field label={t('visit.outcome')} registration={register(name('outcome'))} error={errors.outcome} autoComplete="off" />
      </div>
      <div className="field restricted">
        <label htmlFor="visit-note">{t('visit.note')}</label>
        <textarea id="visit-note" rows={3} {...register(name('note'))} aria-describedby="visit-note-hint" />
        <p className="hint" id="visit-note-hint">
          {t('visit.noteHint')}
        </p>
      </div>
    </>
  );
}

/** The fields both visit forms share (their names in either schema). */
type VisitValues = { visitOn: string; place: string; serviceTypeIds: number[]; outcome: string | null; note: string | null };
