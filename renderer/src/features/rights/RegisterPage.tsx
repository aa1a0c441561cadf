import { useTranslation } from 'react-i18next';
import type { ChannelOutput } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { useLoaded } from '../../components/useLoaded.ts';
import { formatDateTime } from '../../i18n/format.ts';

/**
 * The processing register (printable), for the centre's data-protection dossier: what personal
 * data the app holds, why, who can see it, how long it is kept and how it is protected. The
 * figures come from the app's own settings, so it says what the app actually does.
 */
export function RegisterPage() {
  const { t } = useTranslation();
  const { data: register, error } = useLoaded(() => call('register.get', {}), null as ChannelOutput<'register.get'> | null);
  const list = (key: string, values: Record<string, unknown> = {}) => (t(key, { returnObjects: true, ...values }) as unknown as string[]).map((item, index) => <li key={index}>{item}</li>);
  if (!register) return <ErrorText error={error} />;
  const backup = !register.backupFolderSet
    ? t('register.backupOff')
    : register.backupEveryHours > 0
      ? t('register.backupOn', { hours: register.backupEveryHours, keep: register.backupKeep })
      : t('register.backupNoSchedule');
  return (
    <section aria-labelledby="page-title">
      <div className="actions screen-only">
        <button type="button" className="primary" onClick={() => window.print()}>
          {t('register.print')}
        </button>
      </div>
      <article className="printable">
        <h1 id="page-title">{t('register.title')}</h1>
        <p>{t('register.intro', { date: formatDateTime(register.generatedAt), centre: register.centreName, code: register.centreCode })}</p>
        <h2>{t('register.what')}</h2>
        <ul>{list('register.whatItems')}</ul>
        <h2>{t('register.purposes')}</h2>
        <ul>{list('register.purposeItems', { k: register.reportK })}</ul>
        <p>
          {t('register.consentVersions')}: {register.consentTexts.map((text) => `${t(`vocabulary.consentPurpose.${text.purpose}`)} (${text.version})`).join('; ')}
        </p>
        <h2>{t('register.who')}</h2>
        <ul>
          {register.roles.map((role) => (
            <li key={role.role}>
              {t('register.roleLine', { role: t(`roles.${role.role}`), people: role.people, permissions: role.permissions.map((permission) => t(`register.permission.${permission}`)).join('; ') })}
            </li>
          ))}
        </ul>
        <p>{t('register.whoNote')}</p>
        <h2>{t('register.recipients')}</h2>
        <p>{t('register.recipientsText', { partners: register.partners })}</p>
        <h2>{t('register.retention')}</h2>
        <p>{register.retentionYears > 0 ? t('register.retentionYears', { years: register.retentionYears }) : t('register.retentionOff')}</p>
        <h2>{t('register.protection')}</h2>
        <ul>{list('register.protectionItems', { ...register.kdf, minutes: register.lockTimeoutMinutes, backup })}</ul>
        <h2>{t('register.facts')}</h2>
        <p>{t('register.factsText', { clients: register.counts.clients, open: register.counts.openCases, restricted: register.counts.restricted, erased: register.counts.erased })}</p>
      </article>
    </section>
  );
}
