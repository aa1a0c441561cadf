import { useEffect, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { CONSENT_TEXTS, consentTextEdition, type ConsentTextVersion } from '../../../../electron/contract/index.ts';
import { call } from '../../api.ts';
import { todayIso } from '../../i18n/format.ts';

type Language = 'vi' | 'en';

/**
 * "Written" consent needs paper: a button that opens the consent form to print, with the exact
 * versioned texts the client is asked about (in Vietnamese or English), the centre, the date, a
 * box to tick for each purpose, and signature lines for the client (or her guardian), a witness
 * and the worker. No code or name is printed unless the worker chooses it. The form is shown
 * before it is printed; printing shows only the form.
 */
export function ConsentPaperButton({
  versions,
  language: initialLanguage,
  client = null,
  partnerName = null,
  child,
}: {
  versions: readonly ConsentTextVersion[];
  language: Language;
  /** Known once she is registered: printed only when the worker ticks it. */
  client?: { code: string; alias: string } | null;
  partnerName?: string | null;
  child: boolean;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="paper-button" onClick={() => setOpen(true)}>
        {t('paper.open')}
      </button>
      {open ? createPortal(<ConsentPaperDialog versions={versions} initialLanguage={initialLanguage} client={client} partnerName={partnerName} child={child} onClose={() => setOpen(false)} />, document.body) : null}
    </>
  );
}

function ConsentPaperDialog({
  versions,
  initialLanguage,
  client,
  partnerName,
  child,
  onClose,
}: {
  versions: readonly ConsentTextVersion[];
  initialLanguage: Language;
  client: { code: string; alias: string } | null;
  partnerName: string | null;
  child: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [included, setIncluded] = useState<ConsentTextVersion[]>([...versions]);
  const [withClient, setWithClient] = useState(false);
  const [centre, setCentre] = useState('');
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    void call('settings.get', {}).then((result) => result.ok && setCentre(result.value.centreName));
  }, []);
  // The paper's own words are in the language chosen for it, whatever the screen's.
  const p = (key: string, options: Record<string, unknown> = {}) => t(`paper.${key}`, { ...options, lng: language });
  const [year, month, day] = todayIso().split('-');
  const chosen = versions.filter((version) => included.includes(version));

  return (
    <dialog ref={dialog} className="consent-paper-dialog" aria-labelledby={`${id}-title`} onClose={onClose}>
      <div className="paper-controls">
        <h2 id={`${id}-title`}>{t('paper.title')}</h2>
        <p className="hint">{t('paper.intro')}</p>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-language`}>{t('paper.language')}</label>
            <select id={`${id}-language`} value={language} onChange={(event) => setLanguage(event.target.value as Language)}>
              <option value="vi">{t('language.vi')}</option>
              <option value="en">{t('language.en')}</option>
            </select>
          </div>
          <fieldset className="field">
            <legend>{t('paper.purposes')}</legend>
            {versions.map((version) => (
              <label key={version} className="check">
                <input
                  type="checkbox"
                  checked={included.includes(version)}
                  onChange={(event) => setIncluded(event.target.checked ? [...included, version] : included.filter((each) => each !== version))}
                />{' '}
                {t(`vocabulary.consentPurpose.${CONSENT_TEXTS[version].purpose}`)}
              </label>
            ))}
          </fieldset>
        </div>
        {client ? (
          <label className="check">
            <input type="checkbox" checked={withClient} onChange={(event) => setWithClient(event.target.checked)} /> {t('paper.printClient', { code: client.code, alias: client.alias })}
          </label>
        ) : null}
        <div className="actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            {t('paper.close')}
          </button>
          <button type="button" className="primary" disabled={chosen.length === 0 || !centre} onClick={() => window.print()}>
            {t('paper.print')}
          </button>
        </div>
      </div>

      {/* The form names the centre: nothing is shown to print until its name has come. */}
      {!centre ? <p className="hint">{t('app.loading')}</p> : null}
      {centre ? <article className="consent-paper" lang={language} aria-label={t('paper.preview')}>
        <header className="paper-head">
          <p className="paper-centre">{centre}</p>
          <h3 className="paper-title">{p('heading')}</h3>
          <p className="paper-date">{p('date', { day, month, year })}</p>
        </header>
        <p>{withClient && client ? p('clientIs', { code: client.code, alias: client.alias }) : p('clientBlank')}</p>
        <p>{p(child ? 'askChild' : 'askAdult')}</p>
        <ol className="paper-purposes">
          {chosen.map((version) => {
            const edition = consentTextEdition(version);
            return (
              <li key={version}>
                <h4>{p(`purpose.${CONSENT_TEXTS[version].purpose}`)}</h4>
                <p>{CONSENT_TEXTS[version][language]}</p>
                {CONSENT_TEXTS[version].purpose === 'share_partner' ? <p>{p('partner', { name: partnerName ?? '……………………………………' })}</p> : null}
                <p className="paper-edition">{p('edition', { number: edition.number, audience: p(`audience.${edition.audience}`) })}</p>
                <p className="paper-boxes">
                  <span>☐ {p('agree')}</span>
                  <span>☐ {p('disagree')}</span>
                </p>
              </li>
            );
          })}
        </ol>
        <div className="paper-signatures">
          {(['giver', 'witness', 'worker'] as const).map((who) => (
            <div key={who}>
              <p className="paper-signer">{p(`sign.${who === 'giver' && child ? 'guardian' : who}`)}</p>
              <p className="paper-sign-hint">{p('signHint')}</p>
              <div className="paper-line" />
            </div>
          ))}
        </div>
        <p className="paper-foot">{p('foot')}</p>
      </article> : null}
    </dialog>
  );
}
