/**
 * One event: its form (read-only for roles that do not manage the catalogue), publishing and
 * unpublishing, adding a performance, duplicating it into a new draft, and the preview of how
 * the buyer's app shows it.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, Redirect, useLocation, useParams } from 'wouter';
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Field, Notice } from '../ui/form.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import {
  type Assets,
  type EventView,
  useAddPerformance,
  useAssets,
  useEvent,
  usePublish,
  useVenues,
  type Venue,
} from './api.ts';
import { wholeNumber } from './checks.ts';
import { EventEditor } from './editor.tsx';
import { EventFailure } from './failure.tsx';
import {
  fromEvent,
  newPerformance,
  type PerformanceValues,
  performanceBody,
} from './form-model.ts';
import { statusKey } from './labels.ts';
import { PerformanceInputs, type RegisterAny } from './performances.tsx';
import { EventPreview } from './preview.tsx';
import { seatingFor } from './seating.ts';
import { utcToZoned } from './zone-time.ts';

export default function EventScreen() {
  const { t } = useI18n();
  const { eventId } = useParams<{ eventId: string }>();
  const organizer = useOrganizer();
  // "/events/new" for a role that may not create lands here: not an event id, so the list.
  const valid = /^ev_[0-9a-z]+$/.test(eventId);
  const event = useEvent(valid ? eventId : undefined);
  const venues = useVenues(organizer.id);
  const assets = useAssets();
  if (!valid) return <Redirect to="/events" replace />;
  return (
    <Loaded query={event}>
      {(loaded) => (
        <Page
          title={loaded.name}
          actions={
            <>
              <span className={`status status-${loaded.status}`}>
                {t(statusKey(loaded.status))}
              </span>
              {organizer.can('view_sales') ? (
                <Link href={`/events/${loaded.id}/sales`}>{t('events.sales')}</Link>
              ) : null}
            </>
          }
        >
          {organizer.can('manage_catalogue') ? (
            <PublishControls event={loaded} />
          ) : (
            <p className="notice info">{t('events.readOnly')}</p>
          )}
          <div className="event-layout">
            <div>
              <Loaded query={venues}>
                {({ venues: all }) => (
                  <Loaded query={assets}>
                    {(known) => <EditorOf event={loaded} venues={all} assets={known} />}
                  </Loaded>
                )}
              </Loaded>
              {organizer.can('manage_catalogue') ? (
                <>
                  <AddPerformance event={loaded} />
                  <Duplicate event={loaded} />
                </>
              ) : null}
            </div>
            <EventPreview event={loaded} />
          </div>
        </Page>
      )}
    </Loaded>
  );
}

/** The form with the event's values, its seated categories' seats read from its inventory. */
function EditorOf(props: { event: EventView; venues: readonly Venue[]; assets: Assets }) {
  const { t } = useI18n();
  const api = useApi();
  const organizer = useOrganizer();
  const { event } = props;
  const [saved, setSaved] = useState(false);
  const seating = useQuery({
    queryKey: ['events', 'seating', event.id, event.updatedAt, event.performances.length],
    queryFn: () => seatingFor(api, event),
    // The form stays on screen while a new answer's seats are read.
    placeholderData: keepPreviousData,
  });
  return (
    <Loaded query={seating}>
      {(seats) => (
        <>
          <EventEditor
            // A new answer from the server (saved, a performance added) starts the form afresh.
            key={`${event.updatedAt} ${event.performances.length} ${seating.dataUpdatedAt}`}
            organizerId={organizer.id}
            event={event}
            initial={fromEvent(event, seats)}
            venues={props.venues}
            assets={props.assets}
            editable={organizer.can('manage_catalogue')}
            onSaved={() => setSaved(true)}
          />
          {saved ? <Notice>{t('events.saved')}</Notice> : null}
        </>
      )}
    </Loaded>
  );
}

function PublishControls(props: { event: EventView }) {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const { event } = props;
  const publish = usePublish(organizer.id, event.id);
  const published = event.status === 'published';
  if (event.status === 'cancelled') return null;
  return (
    <div className="publish">
      <button
        type="button"
        className={published ? undefined : 'primary'}
        disabled={publish.isPending}
        onClick={() => publish.mutate(!published)}
      >
        {published ? t('events.unpublish') : t('events.publish')}
      </button>{' '}
      {publish.isSuccess ? (
        <Notice>{published ? t('events.published') : t('events.unpublished')}</Notice>
      ) : (
        <small className="hint">{t('events.publishHint')}</small>
      )}
      <EventFailure error={publish.error} />
    </div>
  );
}

function AddPerformance(props: { event: EventView }) {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const { event } = props;
  const zone = event.venue.timeZone;
  const add = useAddPerformance(organizer.id, event.id);
  const form = useForm<PerformanceValues>({ defaultValues: newPerformance(), mode: 'onTouched' });
  const starts = event.performances.map((performance) => utcToZoned(performance.startsAt, zone));
  const submit = form.handleSubmit(async (values) => {
    await add.mutateAsync(performanceBody(values, zone)).then(
      () => form.reset(newPerformance()),
      () => undefined,
    );
  });
  return (
    <form className="add-performance" onSubmit={submit} noValidate>
      <fieldset>
        <legend>{t('events.addPerformance.title')}</legend>
        <PerformanceInputs
          prefix=""
          register={form.register as unknown as RegisterAny}
          errors={form.formState.errors}
          timeZone={zone}
          existing={false}
          others={() => starts}
          own={(values) => values as PerformanceValues}
        />
      </fieldset>
      <button type="submit" disabled={form.formState.isSubmitting}>
        {t('events.addPerformance.submit')}
      </button>
      <EventFailure error={add.error} />
      {add.isSuccess && !form.formState.isDirty ? (
        <Notice>{t('events.addPerformance.done')}</Notice>
      ) : null}
    </form>
  );
}

function Duplicate(props: { event: EventView }) {
  const { t } = useI18n();
  const [, navigate] = useLocation();
  const form = useForm<{ shiftDays: string }>({ defaultValues: { shiftDays: '7' } });
  const submit = form.handleSubmit(({ shiftDays }) => {
    const shift = shiftDays.trim() === '' ? '' : `&shift=${Number(shiftDays)}`;
    navigate(`/events/new?from=${props.event.id}${shift}`);
  });
  return (
    <form className="duplicate" onSubmit={submit} noValidate>
      <fieldset>
        <legend>{t('events.duplicate.title')}</legend>
        <p>{t('events.duplicate.intro', { slug: props.event.slug })}</p>
        <Field
          label={t('events.duplicate.shiftDays')}
          error={form.formState.errors.shiftDays}
          hint={t('events.duplicate.shiftHint')}
        >
          <input
            inputMode="numeric"
            {...form.register('shiftDays', { validate: wholeNumber(t, -3650, 3650, true) })}
          />
        </Field>
      </fieldset>
      <button type="submit">{t('events.duplicate.submit')}</button>
    </form>
  );
}
