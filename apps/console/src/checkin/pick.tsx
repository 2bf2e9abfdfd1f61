/**
 * Choosing the performance to watch: an event (the one whose next performance comes first) and
 * one of its performances (doors open now, else the next; choose.ts), then its live dashboard or
 * its admission log.
 */
import { useState } from 'react';
import { Link } from 'wouter';
import { useEvent, useOrganizerEvents } from '../events/api.ts';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Field } from '../ui/form.tsx';
import { Page } from '../ui/page.tsx';
import { defaultEvent, defaultPerformance } from './choose.ts';

export default function PickPerformance() {
  const { t, fmt } = useI18n();
  const organizer = useOrganizer();
  const events = useOrganizerEvents(organizer.id);
  const list = events.data?.pages.flatMap((page) => page.events) ?? [];
  const [eventId, setEventId] = useState<string>();
  const chosenEvent = list.find((e) => e.id === eventId) ?? defaultEvent(list);
  const event = useEvent(chosenEvent?.id);
  const performances = event.data?.performances ?? [];
  const [performanceId, setPerformanceId] = useState<string>();
  const nowMs = Date.now();
  const chosen =
    performances.find((p) => p.id === performanceId) ?? defaultPerformance(performances, nowMs);
  const zone = event.data?.venue.timeZone;
  return (
    <Page title={t('checkin.title')}>
      {events.isSuccess && list.length === 0 ? (
        <p>{t('checkin.pick.noEvents')}</p>
      ) : (
        <form className="checkin-pick" onSubmit={(e) => e.preventDefault()}>
          <Field label={t('checkin.pick.event')}>
            <select
              value={chosenEvent?.id ?? ''}
              onChange={(e) => {
                setEventId(e.currentTarget.value);
                setPerformanceId(undefined);
              }}
            >
              {list.map((item) => (
                <option key={item.id} value={item.id}>
                  {item.name}
                </option>
              ))}
            </select>
          </Field>
          {event.isSuccess && performances.length === 0 ? (
            <p>{t('checkin.pick.noPerformances')}</p>
          ) : (
            <Field label={t('checkin.pick.performance')}>
              <select
                value={chosen?.id ?? ''}
                onChange={(e) => setPerformanceId(e.currentTarget.value)}
              >
                {performances.map((p) => {
                  const when = fmt.dateTime(p.startsAt, zone);
                  const open = Date.parse(p.doorsAt) <= nowMs && nowMs < Date.parse(p.endsAt);
                  return (
                    <option key={p.id} value={p.id}>
                      {open ? t('checkin.pick.doorsOpen', { when }) : when}
                    </option>
                  );
                })}
              </select>
            </Field>
          )}
          {chosen ? (
            <div className="actions">
              <Link className="button primary" href={`/checkin/${chosen.id}`}>
                {t('checkin.dashboard.link')}
              </Link>
              <Link className="button" href={`/checkin/${chosen.id}/log`}>
                {t('checkin.log.link')}
              </Link>
            </div>
          ) : null}
        </form>
      )}
    </Page>
  );
}
