/**
 * The organizer's gate terminals: name, gate, device and app version (as the gate app reports
 * them on every call), last contact, online or not (the server's window), last GPS fix with a
 * flag when it lies outside the venue, unsent admissions; rename one, or revoke it after a
 * confirmation that says what revoking does (the server refuses its next request, on every
 * instance at once). Re-read every 10 s (api.ts).
 */
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { ConfirmRow } from '../ui/confirm-row.tsx';
import { Field, FormFailure } from '../ui/form.tsx';
import { Loaded } from '../ui/page.tsx';
import { type Terminal, useTerminalChange, useTerminals } from './api.ts';

const columns = 9;

export function Terminals() {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const terminals = useTerminals(organizer.id);
  return (
    <section aria-labelledby="gates-terminals">
      <h2 id="gates-terminals">{t('gates.terminals.title')}</h2>
      <Loaded query={terminals}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('gates.terminals.none')}</p>
          ) : (
            <table className="terminals">
              <thead>
                <tr>
                  <th>{t('gates.terminals.name')}</th>
                  <th>{t('gates.terminals.gate')}</th>
                  <th>{t('gates.terminals.device')}</th>
                  <th>{t('gates.terminals.appVersion')}</th>
                  <th>{t('gates.terminals.lastContact')}</th>
                  <th>{t('gates.terminals.state')}</th>
                  <th>{t('gates.terminals.position')}</th>
                  <th className="number">{t('gates.terminals.pending')}</th>
                  <th>
                    <span className="visually-hidden">{t('gates.terminals.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((terminal) => (
                  <TerminalRows key={terminal.id} terminal={terminal} />
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}

function TerminalRows(props: { terminal: Terminal }) {
  const { t, fmt } = useI18n();
  const organizer = useOrganizer();
  const { terminal } = props;
  const change = useTerminalChange(organizer.id, terminal.id);
  const [open, setOpen] = useState<'rename' | 'revoke'>();
  const seen = terminal.lastSeenAt ? Date.parse(terminal.lastSeenAt) : undefined;
  const state = terminal.revokedAt
    ? t('gates.terminals.revoked', { when: fmt.stamp(terminal.revokedAt) })
    : terminal.online
      ? t('gates.terminals.online')
      : t('gates.terminals.offline');
  return (
    <>
      <tr data-terminal={terminal.id}>
        <th scope="row">{terminal.name}</th>
        <td>{terminal.gate}</td>
        <td data-column="device">{terminal.device ?? t('gates.terminals.notReported')}</td>
        <td data-column="app-version">{terminal.appVersion ?? t('gates.terminals.notReported')}</td>
        <td>{seen ? fmt.stamp(seen) : t('gates.terminals.never')}</td>
        <td data-column="state">{state}</td>
        <td data-column="position">
          <LastFix terminal={terminal} />
        </td>
        <td className="number">{fmt.count(terminal.pendingUploads)}</td>
        <td>
          {terminal.revokedAt ? null : (
            <div className="actions">
              <button type="button" onClick={() => setOpen('rename')}>
                {t('gates.terminals.rename')}
              </button>
              <button type="button" onClick={() => setOpen('revoke')}>
                {t('gates.terminals.revoke')}
              </button>
            </div>
          )}
        </td>
      </tr>
      {open === 'rename' ? (
        <RenameRow terminal={terminal} onDone={() => setOpen(undefined)} />
      ) : null}
      {open === 'revoke' ? (
        <ConfirmRow
          columns={columns}
          label={t('gates.terminals.revokeLabel', { name: terminal.name })}
          explain={t('gates.terminals.revokeExplain', {
            name: terminal.name,
            pending: terminal.pendingUploads,
          })}
          confirm={t('gates.terminals.revokeConfirm', { name: terminal.name })}
          pending={change.isPending}
          error={change.error}
          onConfirm={() => change.mutateAsync({ revoke: true }).then(() => setOpen(undefined))}
          onCancel={() => setOpen(undefined)}
        />
      ) : null}
    </>
  );
}

function LastFix(props: { terminal: Terminal }) {
  const { t, fmt } = useI18n();
  const { lastFix, outsideVenue } = props.terminal;
  if (!lastFix) return <>{t('gates.terminals.notReported')}</>;
  const place = {
    latitude: lastFix.latitude.toFixed(5),
    longitude: lastFix.longitude.toFixed(5),
    when: fmt.stamp(lastFix.at),
  };
  return (
    <>
      {lastFix.accuracyM === null
        ? t('gates.terminals.fixNoAccuracy', place)
        : t('gates.terminals.fix', {
            ...place,
            accuracy: fmt.count(Math.round(lastFix.accuracyM)),
          })}
      {outsideVenue ? (
        <>
          {' '}
          <strong className="flag-outside">{t('gates.terminals.outside')}</strong>
        </>
      ) : null}
    </>
  );
}

function RenameRow(props: { terminal: Terminal; onDone(): void }) {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const change = useTerminalChange(organizer.id, props.terminal.id);
  const form = useForm<{ name: string }>({ defaultValues: { name: props.terminal.name } });
  const submit = form.handleSubmit(({ name }) =>
    change.mutateAsync({ name: name.trim() }).then(props.onDone, () => undefined),
  );
  const nameRule = (value: string) =>
    (value.trim().length > 0 && value.trim().length <= 80) || t('gates.terminals.nameRequired');
  return (
    <tr>
      <td colSpan={columns}>
        <form onSubmit={submit} noValidate className="inline-form">
          <Field
            label={t('gates.terminals.newName', { name: props.terminal.name })}
            error={form.formState.errors.name}
          >
            <input {...form.register('name', { validate: nameRule })} />
          </Field>
          <FormFailure error={change.error} />
          <div className="actions">
            <button type="submit" className="primary" disabled={change.isPending}>
              {t('gates.terminals.save')}
            </button>
            <button type="button" onClick={props.onDone}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      </td>
    </tr>
  );
}
