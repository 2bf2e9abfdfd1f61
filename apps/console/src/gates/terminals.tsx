/**
 * The organizer's gate terminals: name, gate, last contact, online or not, unsent admissions;
 * rename one, or revoke it after a confirmation that says what revoking does (the server refuses
 * its next request, on every instance at once). Re-read every 10 s (api.ts).
 */
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { ConfirmRow } from '../ui/confirm-row.tsx';
import { Field, FormFailure } from '../ui/form.tsx';
import { Loaded } from '../ui/page.tsx';
import { type Terminal, useTerminalChange, useTerminals } from './api.ts';

/** A terminal heard from within this long counts as online (it calls in every 30 s or so). */
const onlineWithinMs = 2 * 60_000;
const columns = 6;

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
                  <th>{t('gates.terminals.lastContact')}</th>
                  <th>{t('gates.terminals.state')}</th>
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
    : seen && Date.now() - seen < onlineWithinMs
      ? t('gates.terminals.online')
      : t('gates.terminals.offline');
  return (
    <>
      <tr data-terminal={terminal.id}>
        <th scope="row">{terminal.name}</th>
        <td>{terminal.gate}</td>
        <td>{seen ? fmt.stamp(seen) : t('gates.terminals.never')}</td>
        <td>{state}</td>
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
