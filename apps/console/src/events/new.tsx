/**
 * A new event: an empty form at the organizer's first venue, or a copy of an event
 * (`?from=<eventId>&shift=<days>`, from "Duplicate"): same venue, details and categories, slug
 * "<slug>-copy", performances moved by the days asked or none. Saved, it is a draft and its page
 * opens.
 */
import { useQuery } from '@tanstack/react-query';
import { useLocation, useSearch } from 'wouter';
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import { type Assets, useAssets, useVenues, type Venue } from './api.ts';
import { EventEditor, NoVenue } from './editor.tsx';
import { type EventValues, emptyEvent, fromEvent } from './form-model.ts';
import { seatingFor } from './seating.ts';

export default function NewEvent() {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const [, navigate] = useLocation();
  const search = new URLSearchParams(useSearch());
  const from = search.get('from') ?? undefined;
  const shift = search.get('shift');
  const shiftDays = shift === null || shift === '' ? null : Number(shift);
  const venues = useVenues(organizer.id);
  const assets = useAssets();
  const source = useCopySource(from, shiftDays);
  const editor = (all: readonly Venue[], known: Assets, initial?: EventValues) => {
    const first = all[0];
    if (!first) return <NoVenue />;
    return (
      <EventEditor
        organizerId={organizer.id}
        initial={initial ?? emptyEvent(first.id, known.fiat)}
        venues={all}
        assets={known}
        editable
        onSaved={(event) => navigate(`/events/${event.id}`)}
      />
    );
  };
  return (
    <Page
      title={source.data ? t('events.copyTitle', { name: source.data.name }) : t('events.newTitle')}
    >
      <Loaded query={venues}>
        {({ venues: all }) => (
          <Loaded query={assets}>
            {(known) =>
              from ? (
                <Loaded query={source}>{(copy) => editor(all, known, copy.values)}</Loaded>
              ) : (
                editor(all, known)
              )
            }
          </Loaded>
        )}
      </Loaded>
    </Page>
  );
}

/** The event to copy, as the new form's values (its seated categories' seats read too). */
function useCopySource(eventId: string | undefined, shiftDays: number | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['events', 'copy', eventId, shiftDays],
    enabled: Boolean(eventId),
    queryFn: async () => {
      const id = eventId ?? '';
      const event = await api.call((init) =>
        api.ticketing.GET('/v1/events/{eventId}', { ...init, params: { path: { eventId: id } } }),
      );
      const seating = await seatingFor(api, event);
      const days = shiftDays !== null && Number.isInteger(shiftDays) ? shiftDays : null;
      return { name: event.name, values: fromEvent(event, seating, { shiftDays: days }) };
    },
  });
}
