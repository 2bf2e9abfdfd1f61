/**
 * Always on screen once enrolled (unit 416): the terminal's name, gate and event, whether it
 * checks online or offline, the last sync, the admissions waiting to be uploaded, and the GPS
 * warning when the terminal is outside the venue radius (unit 414).
 */
import { useGate } from './gate-context.ts';
import { gateLabel, useI18n } from './i18n.ts';

export function StatusBar() {
  const { t, fmt } = useI18n();
  const { state } = useGate();
  const terminal = state.credential?.terminal;
  const events = [...new Set(state.performances.map((performance) => performance.eventName))];
  return (
    <section className="status" aria-label={t('app.name')}>
      <p className={`mode mode-${state.mode}`} data-testid="mode" data-mode={state.mode}>
        <strong>{t(state.mode === 'online' ? 'mode.online' : 'mode.offline')}</strong>{' '}
        <span className="mode-hint">
          {t(state.mode === 'online' ? 'mode.onlineHint' : 'mode.offlineHint')}
        </span>
      </p>
      <p className="status-line">
        <span>{terminal?.name}</span>
        <span>{terminal ? gateLabel(terminal.gate, t) : ''}</span>
        <span>{events.join(', ')}</span>
      </p>
      <p className="status-line">
        <span data-testid="last-sync">
          {state.lastSyncAt
            ? t('status.lastSync', { time: fmt.clock(state.lastSyncAt) })
            : t('status.neverSynced')}
        </span>
        <span data-testid="pending" data-count={state.pendingUploads}>
          {t('status.pending', { count: state.pendingUploads })}
        </span>
        <span>
          {state.position
            ? t('status.position', { accuracy: Math.round(state.position.accuracyM) })
            : t('status.noPosition')}
        </span>
      </p>
      {state.syncError && state.mode === 'online' && (
        <p className="warning" role="status">
          {t('status.syncError', { message: state.syncError })}
        </p>
      )}
      {state.outsideVenue && state.venue && (
        <p className="warning" role="status">
          {t('status.outside', { distance: state.distanceM ?? 0, radius: state.venue.radiusM })}
        </p>
      )}
    </section>
  );
}
