import { useState } from 'react';
import type { FieldError, UseFormRegisterReturn } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import {
  createUserInputSchema,
  ROLES,
  temporaryPasswordInputSchema,
  type UserSummary,
} from '../../../../electron/contract/index.ts';
import { call, type ClientErrorPayload } from '../../api.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { NowSavedFacts } from '../../components/NowSavedFacts.tsx';
import { foundIn, useNowSaved } from '../../components/useNowSaved.ts';
import { Field } from '../../components/Field.tsx';
import { useContractForm } from '../../components/useContractForm.ts';
import { FormActions } from '../../components/FormActions.tsx';
import { formatDate } from '../../i18n/format.ts';
import { ReasonField, reasonProblem, statedReason } from '../../components/ReasonField.tsx';
import { useSession } from '../../app/session.ts';

/** A readable temporary password to hand over in person: no 0/O, 1/l/I. */
export function generateTemporaryPassword(length = 12): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = new Uint32Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (value) => alphabet[value % alphabet.length]).join('');
}


export function UserForm({
  editing,
  onCancel,
  onSaved,
  onStale,
}: {
  editing: UserSummary | null;
  onCancel: () => void;
  /** The account changed meanwhile (RECORD_CHANGED): the list behind is out of date too. */
  onStale: () => void;
  /** After a creation, the temporary password to hand over. */
  onSaved: (user: UserSummary, temporaryPassword: string | null) => void;
}) {
  const { t } = useTranslation();
  // One schema for both: when editing, username and password are prefilled (and not sent).
  const { form, errors, busy, error, submit } = useContractForm(createUserInputSchema, {
    defaultValues: {
      username: editing?.username ?? '',
      displayName: editing?.displayName ?? '',
      roles: editing?.roles ?? ['worker'],
      temporaryPassword: generateTemporaryPassword(),
    },
    focus: 'displayName',
  });
  const { user: me } = useSession();
  const [reason, setReason] = useState('');
  // Changed by another administrator (at another PC) since the form opened: the account as it
  // is now (what she chose stays), and the version a second save is made on.
  const { now, afterSave } = useNowSaved(async () => foundIn(await call('users.list', {}), editing?.id), onStale);
  const version = now?.version ?? editing?.version ?? '';
  const roles = form.watch('roles');
  const username = form.watch('username') ?? '';
  // Her own roles: she says why, and managers see it under Identity access.
  const ownRolesChanged =
    editing !== null && editing.id === me.id && (roles.length !== editing.roles.length || roles.some((role) => !editing.roles.includes(role)));

  return (
    <form
      noValidate
      className="panel"
      aria-labelledby="user-form-title"
      onSubmit={form.handleSubmit((values) =>
        editing
          ? submit(
              async () => {
                const stated = ownRolesChanged ? statedReason(reason) : undefined;
                const update = { id: editing.id, displayName: values.displayName, roles: values.roles, version };
                return afterSave(await call('users.update', stated ? { ...update, reason: stated } : update));
              },
              (saved) => onSaved(saved, null),
            )
          : submit(
              () => call('users.create', values),
              (saved) => onSaved(saved, values.temporaryPassword),
            ),
      )}
    >
      <h2 id="user-form-title">{editing ? t('users.editTitle', { name: editing.displayName }) : t('users.addTitle')}</h2>
      <div className="form-grid">
        <Field label={t('users.displayName')} registration={form.register('displayName')} error={errors.displayName} autoComplete="off" />
        {editing ? null : (
          <Field
            label={t('users.username')}
            registration={form.register('username')}
            error={errors.username}
            hint={username.trim() && username.trim() !== username.trim().toLowerCase() ? t('users.usernameSavedAs', { username: username.trim().toLowerCase() }) : t('users.usernameHint')}
            autoComplete="off"
          />
        )}
        <fieldset className="field roles" aria-describedby={errors.roles ? 'roles-error' : undefined}>
          <legend>{t('users.roles')}</legend>
          {ROLES.map((role) => (
            <label key={role} className="check">
              <input type="checkbox" value={role} {...form.register('roles')} />
              {t(`roles.${role}`)}
            </label>
          ))}
          {errors.roles ? (
            <p className="field-error" id="roles-error">
              {t(`validation.${errors.roles.message ?? 'invalid'}`)}
            </p>
          ) : null}
        </fieldset>
        {editing ? null : (
          <TemporaryPasswordField
            registration={form.register('temporaryPassword')}
            error={errors.temporaryPassword}
            onGenerate={() => form.setValue('temporaryPassword', generateTemporaryPassword(), { shouldValidate: true })}
          />
        )}
        {ownRolesChanged ? <ReasonField label={t('users.ownRolesReason')} hint={t('users.ownRolesHint')} value={reason} onChange={setReason} error={error} /> : null}
      </div>
      <ErrorText error={reasonProblem(error) ? null : error} />
      {now ? (
        <NowSavedFacts
          facts={[
            [t('users.displayName'), now.displayName],
            [t('users.roles'), now.roles.map((role) => t(`roles.${role}`)).join(', ')],
          ]}
        />
      ) : null}
      <FormActions onCancel={onCancel} busy={busy} />
    </form>
  );
}

function TemporaryPasswordField({
  registration,
  error,
  onGenerate,
}: {
  registration: UseFormRegisterReturn;
  error: FieldError | undefined;
  onGenerate: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="with-button">
      <Field
        label={t('users.temporaryPassword')}
        registration={registration}
        error={error}
        hint={t('users.temporaryHint')}
        autoComplete="off"
        spellCheck={false}
        className="code-field"
      />
      <button type="button" onClick={onGenerate}>
        {t('users.generate')}
      </button>
    </div>
  );
}

const passwordSchema = temporaryPasswordInputSchema.omit({ id: true });

export function TemporaryPasswordForm({
  user,
  mode,
  onCancel,
  onSaved,
}: {
  user: UserSummary;
  mode: 'reset' | 'reactivate';
  onCancel: () => void;
  onSaved: (user: UserSummary, temporaryPassword: string) => void;
}) {
  const { t } = useTranslation();
  const { form, errors, busy, error, submit } = useContractForm(passwordSchema, {
    defaultValues: { temporaryPassword: generateTemporaryPassword() },
    focus: 'temporaryPassword',
  });
  const channel = mode === 'reset' ? 'users.resetPassword' : 'users.reactivate';
  return (
    <form
      noValidate
      className="panel"
      aria-labelledby="password-form-title"
      onSubmit={form.handleSubmit((values) =>
        submit(
          () => call(channel, { id: user.id, temporaryPassword: values.temporaryPassword }),
          (saved) => onSaved(saved, values.temporaryPassword),
        ),
      )}
    >
      <h2 id="password-form-title">
        {t(mode === 'reset' ? 'users.resetTitle' : 'users.reactivateTitle', { name: user.displayName })}
      </h2>
      <TemporaryPasswordField
        registration={form.register('temporaryPassword')}
        error={errors.temporaryPassword}
        onGenerate={() => form.setValue('temporaryPassword', generateTemporaryPassword(), { shouldValidate: true })}
      />
      <ErrorText error={error} />
      <div className="actions">
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {t(mode === 'reset' ? 'users.resetPassword' : 'users.reactivate')}
        </button>
      </div>
    </form>
  );
}

export function DeactivateConfirm({ user, onCancel, onDone }: { user: UserSummary; onCancel: () => void; onDone: (user: UserSummary) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<ClientErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="panel" role="group" aria-labelledby="deactivate-title">
      <h2 id="deactivate-title">{t('users.deactivate')}</h2>
      <p>{t('users.deactivateConfirm', { name: user.displayName })}</p>
      <ErrorText error={error} />
      <div className="actions">
        <button type="button" onClick={onCancel} autoFocus>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            const result = await call('users.deactivate', { id: user.id });
            setBusy(false);
            if (result.ok) onDone(result.value);
            else setError(result.error);
          }}
        >
          {t('users.deactivate')}
        </button>
      </div>
    </div>
  );
}

export interface HandOver {
  user: UserSummary;
  password: string;
  mode: 'created' | 'reset' | 'reactivated';
}

/**
 * The temporary password after it is saved, once: to hand over in person or print (with the
 * centre's name and the date), never kept by the app in readable form. No copy button: a
 * password on the clipboard stays in Windows' clipboard history and may be synced.
 */
export function PasswordHandOver({ handOver, onDone }: { handOver: HandOver; onDone: () => void }) {
  const { t } = useTranslation();
  const { user } = handOver;
  return (
    <section className="panel handover" aria-labelledby="handover-title">
      <h2 id="handover-title">{t('users.handOverTitle', { name: user.displayName })}</h2>
      <p className="screen-only" role="status">
        {t(`users.${handOver.mode === 'created' ? 'created' : handOver.mode === 'reset' ? 'passwordReset' : 'reactivated'}`, { username: user.username })}
      </p>
      <p className="print-only">{t('users.handOverPrinted', { date: formatDate(new Date()) })}</p>
      <dl className="handover-details">
        <dt>{t('users.displayName')}</dt>
        <dd>{user.displayName}</dd>
        <dt>{t('users.username')}</dt>
        <dd className="code">{user.username}</dd>
        <dt>{t('users.temporaryPassword')}</dt>
        <dd className="code handover-password">{handOver.password}</dd>
      </dl>
      <p>{t('users.handOverHint')}</p>
      <div className="actions">
        <button type="button" onClick={() => window.print()}>
          {t('users.handOverPrint')}
        </button>
        <button type="button" className="primary" autoFocus onClick={onDone}>
          {t('users.handOverDone')}
        </button>
      </div>
    </section>
  );
}
