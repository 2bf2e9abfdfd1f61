/**
 * The answer, full screen: green to let in, red to stop, in words a gate person acts on, with
 * the seat and category, and for a ticket already used, when and at which gate. Tapping
 * the button (or the next ticket) clears it; it never blocks the next read, and it takes no
 * focus, so a scanner's keystrokes cannot press it. `role="alert"` has it read out.
 */
import type { Formats } from '@tessera/web-kit/format';
import { useGate } from './gate-context.ts';
import { gateLabel, type MessageKey, reasonKey, useI18n } from './i18n.ts';
import type { Decision } from './terminal-types.ts';

export function ResultScreen({ decision, onClose }: { decision: Decision; onClose(): void }) {
  const { t, fmt } = useI18n();
  // Times are the venue's: this terminal stands there, so they read as its own clock does.
  const zone = useGate().state.venue?.timeZone;
  const key = reasonKey(decision.reason);
  const title: MessageKey = !decision.admitted
    ? 'result.stop'
    : decision.reason === 'exit'
      ? 'result.exit'
      : 'result.admit';
  const first = decision.firstAdmission;
  return (
    <div
      className={`result ${decision.admitted ? 'result-pass' : 'result-stop'}`}
      role="alert"
      data-testid="result"
      data-admitted={decision.admitted}
      data-reason={decision.reason}
      data-source={decision.source}
    >
      <p className="result-title">{t(title)}</p>
      <p className="result-reason">
        {key ? t(key) : t('reason.other', { detail: decision.detail })}
      </p>
      {first && (
        <p className="result-first">
          {first.gate
            ? t('result.first', { time: fmt.time(first.at, zone), gate: gateLabel(first.gate, t) })
            : t('result.firstNoGate', { time: fmt.time(first.at, zone) })}
        </p>
      )}
      {decision.validFrom && (
        <p className="result-first" data-testid="valid-from">
          {t('result.validFrom', { time: fmt.dateTime(decision.validFrom, zone) })}
        </p>
      )}
      <dl className="result-ticket">
        {decision.seat && <dd>{t('result.seat', { seat: decision.seat })}</dd>}
        {decision.category && <dd>{t('result.category', { category: decision.category })}</dd>}
        {decision.ticketId && <dd>{t('result.ticket', { number: decision.ticketId })}</dd>}
        {decision.holder && <dd>{t('result.holder', { name: decision.holder })}</dd>}
        {/* A single-entry ticket has one use: "0 left" would only be noise. */}
        {decision.usesRemaining !== null && decision.kind !== 'single' && (
          <dd>{t('result.usesLeft', { count: decision.usesRemaining })}</dd>
        )}
        {decision.valueRemaining !== null && (
          <dd>{t('result.valueLeft', { value: amountText(decision.valueRemaining, fmt) })}</dd>
        )}
      </dl>
      {decision.outsideVenue && <p className="result-warning">{t('result.outside')}</p>}
      <p className="result-source">
        {t(decision.source === 'online' ? 'result.checkedOnline' : 'result.checkedOffline')}
      </p>
      <button type="button" className="result-close" onClick={onClose}>
        {t('result.next')}
      </button>
    </div>
  );
}

/** A decision's "4.5 USDT" (or a bare "4.5") grouped for the language, every digit kept. */
function amountText(text: string, fmt: Formats): string {
  const [amount = '', asset] = text.split(' ');
  return asset ? fmt.money(amount, asset) : fmt.decimal(amount);
}
