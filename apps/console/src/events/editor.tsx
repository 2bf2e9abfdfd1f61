/**
 * The event form, for a new event and for one on the server: its details, categories and
 * performances, checked field by field before sending, then created (POST) or brought in line
 * (PUT by slug, as the command line's `event apply`: nothing is ever deleted, so a saved
 * category or performance cannot be removed here, and is known by its name or start). What the
 * server refuses is shown in words under the form and, when it names a field, next to it.
 */
import { ApiError } from '@tessera/web-kit/http';
import { type UseFormReturn, useForm, useWatch } from 'react-hook-form';
import { Link } from 'wouter';
import { type MessageKey, useI18n } from '../i18n.ts';
import { Field, Notice } from '../ui/form.tsx';
import {
  type Assets,
  type EventView,
  useApplyEvent,
  useCreateEvent,
  useSeatMap,
  type Venue,
} from './api.ts';
import { CategoriesField } from './categories.tsx';
import { wholeNumber } from './checks.ts';
import { EventFailure, eventRefusal } from './failure.tsx';
import { type CategoryValues, type EventValues, limits, slugFrom, toBody } from './form-model.ts';
import { PerformancesField } from './performances.tsx';
import { zonedToUtc } from './zone-time.ts';

export function EventEditor(props: {
  organizerId: string;
  initial: EventValues;
  /** The event on the server; none for a new one. */
  event?: EventView;
  venues: readonly Venue[];
  assets: Assets;
  editable: boolean;
  onSaved(event: EventView): void;
}) {
  const { t } = useI18n();
  const form = useForm<EventValues>({ defaultValues: props.initial, mode: 'onTouched' });
  const { handleSubmit, formState, control } = form;
  const creating = !props.event;
  const create = useCreateEvent(props.organizerId);
  const apply = useApplyEvent(props.organizerId, props.event?.slug ?? '');
  const save = creating ? create : apply;
  const venueId = useWatch({ control, name: 'venueId' });
  const venue = props.venues.find((candidate) => candidate.id === venueId);
  const timeZone = venue?.timeZone ?? props.event?.venue.timeZone ?? 'Asia/Seoul';
  const seatMap = useSeatMap(venueId || undefined);
  const submit = handleSubmit(async (values) => {
    try {
      const event = await save.mutateAsync(toBody(values, timeZone));
      form.reset(values);
      props.onSaved(event);
    } catch (error) {
      placeRefusal(error, form, values, timeZone, (key, params) => t(key, params));
    }
  });

  return (
    <form className="event-form" onSubmit={submit} noValidate>
      <fieldset disabled={!props.editable} className="plain">
        <fieldset>
          <legend>{t('events.section.details')}</legend>
          <DetailFields
            form={form}
            creating={creating}
            venues={props.venues}
            initialVenueId={props.initial.venueId}
            timeZone={timeZone}
          />
          <LimitFields form={form} />
        </fieldset>
        <CategoriesField
          form={form}
          venue={venue}
          seatMap={seatMap.data}
          assets={props.assets}
          editable={props.editable}
        />
        <PerformancesField form={form} timeZone={timeZone} growable={creating} />
      </fieldset>
      {props.editable ? (
        <div className="actions">
          <button type="submit" className="primary" disabled={formState.isSubmitting}>
            {creating ? t('events.create') : t('events.save')}
          </button>
        </div>
      ) : null}
      <EventFailure error={save.error} />
      {save.isSuccess && !creating && !formState.isDirty ? (
        <Notice>{t('events.saved')}</Notice>
      ) : null}
    </form>
  );
}

/** Name, slug (derived from the name until edited), description and venue. */
function DetailFields(props: {
  form: UseFormReturn<EventValues>;
  creating: boolean;
  venues: readonly Venue[];
  initialVenueId: string;
  timeZone: string;
}) {
  const { t } = useI18n();
  const { form, creating, timeZone } = props;
  const { register, formState } = form;
  const errors = formState.errors;
  return (
    <>
      <Field label={t('events.field.name')} error={errors.name}>
        <input
          {...register('name', {
            validate: (value) =>
              !value.trim()
                ? t('events.check.required')
                : value.length <= limits.nameCharsMax ||
                  t('events.check.tooLong', { max: limits.nameCharsMax }),
            onChange: (event) => {
              if (creating && !formState.dirtyFields.slug) {
                form.setValue('slug', slugFrom(event.target.value));
              }
            },
          })}
        />
      </Field>
      <Field label={t('events.field.slug')} error={errors.slug} hint={t('events.field.slugHint')}>
        <input
          readOnly={!creating}
          {...register('slug', {
            validate: (value) => limits.slugPattern.test(value) || t('events.check.slug'),
          })}
        />
      </Field>
      <Field label={t('events.field.description')} error={errors.description}>
        <textarea
          rows={3}
          {...register('description', {
            maxLength: {
              value: limits.descriptionCharsMax,
              message: t('events.check.tooLong', { max: limits.descriptionCharsMax }),
            },
          })}
        />
      </Field>
      <Field
        label={t('events.field.venue')}
        error={errors.venueId}
        hint={t('events.field.venueHint', { zone: timeZone })}
      >
        <select {...register('venueId', { required: t('events.check.required') })}>
          {/* An event's venue never changes (its seats are the event's): only its own. */}
          {props.venues
            .filter((candidate) => creating || candidate.id === props.initialVenueId)
            .map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
        </select>
      </Field>
    </>
  );
}

function LimitFields(props: { form: UseFormReturn<EventValues> }) {
  const { t } = useI18n();
  const { register, formState, control } = props.form;
  const errors = formState.errors;
  const refundPolicy = useWatch({ control, name: 'refundPolicy' });
  return (
    <div className="field-row">
      <Field label={t('events.field.perOrderLimit')} error={errors.perOrderLimit}>
        <input
          inputMode="numeric"
          {...register('perOrderLimit', {
            validate: (value, all) => {
              const whole = wholeNumber(t, 1, limits.perOrderMax)(value);
              if (whole !== true) return whole;
              return Number(value) <= Number(all.perBuyerLimit) || t('events.check.perOrder');
            },
          })}
        />
      </Field>
      <Field label={t('events.field.perBuyerLimit')} error={errors.perBuyerLimit}>
        <input
          inputMode="numeric"
          {...register('perBuyerLimit', { validate: wholeNumber(t, 1, limits.perBuyerMax) })}
        />
      </Field>
      <Field label={t('events.field.refundPolicy')} error={errors.refundPolicy}>
        <select {...register('refundPolicy')}>
          <option value="none">{t('events.refund.none')}</option>
          <option value="until_start">{t('events.refund.until_start')}</option>
        </select>
      </Field>
      {refundPolicy === 'until_start' ? (
        <Field label={t('events.field.refundCutoffHours')} error={errors.refundCutoffHours}>
          <input
            inputMode="numeric"
            {...register('refundCutoffHours', {
              validate: wholeNumber(t, 0, limits.refundCutoffHoursMax),
            })}
          />
        </Field>
      ) : null}
    </div>
  );
}

/** The server's names of a category's fields, as the form calls them. */
const categoryFields: Record<string, keyof CategoryValues> = {
  name: 'name',
  price: 'price',
  priceAsset: 'priceAsset',
  sections: 'sections',
  seats: 'sections',
  area: 'area',
  quota: 'quota',
  kind: 'kind',
  entriesAllowed: 'entriesAllowed',
  reentryAllowed: 'kind',
  validFrom: 'validFrom',
  validUntil: 'validUntil',
  storedValue: 'storedValue',
  storedValueAsset: 'storedValueAsset',
};

/** Puts a refusal next to the field it names: the slug, a category's field, a performance. */
function placeRefusal(
  error: unknown,
  form: UseFormReturn<EventValues>,
  values: EventValues,
  timeZone: string,
  t: (key: MessageKey, params?: Record<string, string | number>) => string,
) {
  if (!(error instanceof ApiError)) return;
  const message = eventRefusal(error, t) ?? error.message;
  const { details } = error;
  if (error.code === 'slug_taken') form.setError('slug', { message });
  if (typeof details.category === 'string') {
    const index = values.categories.findIndex((c) => c.name.trim() === details.category);
    const field = categoryFields[String(details.field)] ?? 'name';
    if (index >= 0) form.setError(`categories.${index}.${field}`, { message });
  }
  if (typeof details.startsAt === 'string') {
    const at = Date.parse(details.startsAt);
    const index = values.performances.findIndex((performance) => {
      const instant = zonedToUtc(performance.startsAt, timeZone);
      return instant !== undefined && Date.parse(instant) === at;
    });
    if (index >= 0) form.setError(`performances.${index}.startsAt`, { message });
  }
}

/** Shown instead of the form when the organizer has no venue to hold an event. */
export function NoVenue() {
  const { t } = useI18n();
  return (
    <p>
      {t('events.noVenue')} <Link href="/venues">{t('events.venuesLink')}</Link>
    </p>
  );
}
