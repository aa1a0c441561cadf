import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChannelOutput } from '../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../api.ts';
import { formatDate } from '../i18n/format.ts';

export type ServerLook = NonNullable<ChannelOutput<'setup.serverCheck'>['server']>;

/**
 * A connection file picked in the shell's dialog and tried by `channel`: what it names (null
 * until one was chosen; the dialog closed changes nothing), and what refused it.
 */
export function useServerLook(channel: 'setup.serverCheck' | 'auth.serverLook') {
  const [look, setLook] = useState<ServerLook | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const choose = async () => {
    setError(null);
    setChecking(true);
    const result = await call(channel, {});
    setChecking(false);
    if (!result.ok) {
      setLook(null);
      return setError(result.error);
    }
    if (result.value.chosen) setLook(result.value.server);
  };
  return { look, checking, error, setError, choose };
}

/**
 * A server as its connection file names it, with what to compare before this PC works with it:
 * the address, the database, and the certificate authority's fingerprint and validity.
 */
export function ServerFacts({ look }: { look: ServerLook }) {
  const { t } = useTranslation();
  return (
    <>
      <h3>{t('setup.serverFound')}</h3>
      <dl className="facts">
        <dt>{t('setup.serverAddress')}</dt>
        <dd>{`${look.host}:${look.port}`}</dd>
        <dt>{t('setup.serverDatabase')}</dt>
        <dd>{look.database}</dd>
        <dt>{t('setup.serverCertificate')}</dt>
        <dd>{look.certificate.subject}</dd>
        <dt>{t('setup.serverFingerprint')}</dt>
        <dd className="fingerprint">
          <Fingerprint value={look.certificate.fingerprint} />
        </dd>
        <dt>{t('setup.serverValidTo')}</dt>
        <dd>{formatDate(look.certificate.validTo)}</dd>
      </dl>
      <p className="hint">{t('setup.serverCompare')}</p>
    </>
  );
}

/**
 * A SHA-256 fingerprint in quarters of eight bytes, each kept on one line, so it wraps between
 * them in a narrow card (the login screen's) without anything scrolling sideways at 1366 px.
 */
function Fingerprint({ value }: { value: string }) {
  const groups = value.split(':');
  const quarters = [0, 1, 2, 3].map((quarter) => groups.slice(quarter * 8, quarter * 8 + 8).join(':')).filter(Boolean);
  return (
    <>
      {quarters.map((part, index) => (
        <Fragment key={index}>
          {index > 0 ? ': ' : ''}
          <span className="nowrap">{part}</span>
        </Fragment>
      ))}
    </>
  );
}
