/**
 * The close of a performance: which terminals may still hold admissions they have not sent
 * (they said so, were revoked with some, have not called since the close, or are offline), and
 * the close button. While some are outstanding the server refunds stored-value balances only
 * once they report, unless staff close without waiting (force), which needs a reason kept with
 * the report; the form asks for it before sending.
 */
import { useForm } from 'react-hook-form';
import { useI18n } from '../i18n.ts';
import { Field, FormFailure, Notice } from '../ui/form.tsx';
import { type Closed, type GateReport, type TerminalStanding, useClose } from './api.ts';

/**
 * Heard from within this long counts as online: the server's own window for "online" on the
 * terminal list (a terminal calls in about every 30 s, so three missed calls).
 */
const onlineWithinMs = 90_000;
const reasonCharsMax = 500;

/** Why a terminal may still hold admissions, or null when it has delivered everything. */
export function riskOf(terminal: TerminalStanding, now = Date.now()) {
  if (terminal.outstanding) return terminal.outstanding;
  if (terminal.revokedAt) return null;
  if (terminal.pendingUploads > 0) return 'pending_uploads';
  const seen = terminal.lastSeenAt ? Date.parse(terminal.lastSeenAt) : undefined;
  return seen === undefined || now - seen > onlineWithinMs ? 'offline' : null;
}

/** Terminals that may still hold admissions and can still deliver them (not revoked). */
export function outstandingOf(report: GateReport): TerminalStanding[] {
  return report.terminals.filter((terminal) => {
    const risk = riskOf(terminal);
    return risk !== null && risk !== 'revoked_with_unsent';
  });
}

export function ClosePanel(props: { report: GateReport; zone: string | undefined }) {
  const { t, fmt } = useI18n();
  const { report } = props;
  const close = useClose(report.performance.id);
  const form = useForm<{ reason: string }>({ defaultValues: { reason: '' } });
  const outstanding = outstandingOf(report);
  const notStarted = Date.parse(report.performance.startsAt) > Date.now();
  const closeNow = () => close.mutateAsync({}).catch(() => undefined);
  const forceClose = form.handleSubmit(({ reason }) =>
    close.mutateAsync({ force: true, reason: reason.trim() }).catch(() => undefined),
  );
  const reasonRule = (value: string) =>
    (value.trim().length > 0 && value.trim().length <= reasonCharsMax) ||
    t('closing.close.reasonRequired');
  return (
    <section aria-labelledby="closing-close" className="closing-close no-print">
      <h2 id="closing-close">{t('closing.close.title')}</h2>
      <p>{t('closing.close.intro')}</p>
      {notStarted ? (
        <p>
          {t('closing.close.notStarted', {
            when: fmt.dateTime(report.performance.startsAt, props.zone),
          })}
        </p>
      ) : null}
      {outstanding.length === 0 ? (
        <p>{t('closing.close.allIn')}</p>
      ) : (
        <>
          <p>{t('closing.close.outstanding')}</p>
          <OutstandingTable terminals={outstanding} zone={props.zone} />
        </>
      )}
      {close.data ? <ClosedNotice closed={close.data} /> : null}
      <FormFailure error={close.error} />
      {report.performance.status === 'closed' ? null : (
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={close.isPending || notStarted}
            onClick={closeNow}
          >
            {t('closing.close.button')}
          </button>
        </div>
      )}
      {outstanding.length === 0 ? null : (
        <form onSubmit={forceClose} noValidate className="closing-force">
          <Field
            label={t('closing.close.reason')}
            hint={t('closing.close.reasonHint')}
            error={form.formState.errors.reason}
          >
            <textarea rows={2} {...form.register('reason', { validate: reasonRule })} />
          </Field>
          <button type="submit" className="danger" disabled={close.isPending || notStarted}>
            {t('closing.close.force')}
          </button>
        </form>
      )}
    </section>
  );
}

function ClosedNotice(props: { closed: Closed }) {
  const { t } = useI18n();
  const { closed } = props;
  return (
    <Notice>
      {t('closing.close.done')}{' '}
      {closed.storedValue.refunds === 'waiting_for_terminals' ? t('closing.close.waiting') : null}{' '}
      {closed.terminalsLost.length > 0
        ? t('closing.close.lost', { count: closed.terminalsLost.length })
        : null}
    </Notice>
  );
}

/** Terminals with their standing: before the close (outstanding) and in the report. */
export function OutstandingTable(props: {
  terminals: readonly TerminalStanding[];
  zone: string | undefined;
}) {
  const { t, fmt } = useI18n();
  return (
    <table className="closing-terminals">
      <thead>
        <tr>
          <th scope="col">{t('closing.terminal')}</th>
          <th scope="col">{t('closing.gate')}</th>
          <th scope="col">{t('closing.lastSeen')}</th>
          <th scope="col" className="number">
            {t('closing.pending')}
          </th>
          <th scope="col">{t('closing.why')}</th>
        </tr>
      </thead>
      <tbody>
        {props.terminals.map((terminal) => {
          const risk = riskOf(terminal);
          return (
            <tr key={terminal.id} data-terminal={terminal.id}>
              <th scope="row">{terminal.name}</th>
              <td>{terminal.gate}</td>
              <td>
                {terminal.lastSeenAt
                  ? fmt.dateTime(terminal.lastSeenAt, props.zone)
                  : t('closing.never')}
              </td>
              <td className="number">{fmt.count(terminal.pendingUploads)}</td>
              <td>{risk ? t(whyKey(risk)) : t('closing.delivered')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function whyKey(risk: string) {
  if (risk === 'pending_uploads') return 'closing.why.pending_uploads' as const;
  if (risk === 'not_seen_since_close') return 'closing.why.not_seen_since_close' as const;
  if (risk === 'revoked_with_unsent') return 'closing.why.revoked_with_unsent' as const;
  return 'closing.why.offline' as const;
}
