/**
 * Create or edit a venue: its name, address, IANA time zone (the apps show performance times
 * in it) and the GPS geofence (a point and a radius: a gate terminal must be inside it), drawn
 * as a small sketch beside the coordinates. Every field is checked as the server checks it
 * (packages/api-client/openapi/ticketing.json, POST /v1/organizers/{id}/venues), next to it.
 */
import { useMemo } from 'react';
import { type UseFormReturn, useForm } from 'react-hook-form';
import { useLocation, useParams } from 'wouter';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Field, FormFailure } from '../ui/form.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import { useSaveVenue, useVenue, type Venue } from './api.ts';
import { GeofenceSketch } from './geofence.tsx';

/** The server's limits on a venue (its route schema). */
export const venueLimits = {
  nameCharsMax: 200,
  addressCharsMax: 500,
  radiusMMin: 10,
  radiusMMax: 100_000,
} as const;

/** A new venue's geofence: a concert hall and its forecourt. */
const defaultRadiusM = 300;

interface VenueValues {
  name: string;
  address: string;
  timeZone: string;
  latitude: string;
  longitude: string;
  radiusM: string;
}

const browserZone = () => new Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The zones this browser knows, with the venue's own even if the browser does not list it. */
function zonesWith(current: string): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes(current) ? zones : [current, ...zones];
}

const decimal = /^-?[0-9]+(\.[0-9]+)?$/;

export default function VenueFormScreen() {
  const { t } = useI18n();
  const { venueId } = useParams<{ venueId?: string }>();
  if (!venueId) {
    return (
      <Page title={t('venues.create')}>
        <VenueForm />
      </Page>
    );
  }
  return <EditVenue venueId={venueId} />;
}

function EditVenue(props: { venueId: string }) {
  const { t } = useI18n();
  const venue = useVenue(props.venueId);
  return (
    <Page title={venue.data ? t('venues.editOf', { name: venue.data.name }) : t('venues.edit')}>
      <Loaded query={venue}>{(data) => <VenueForm venue={data} />}</Loaded>
    </Page>
  );
}

function valuesOf(venue: Venue | undefined): VenueValues {
  return {
    name: venue?.name ?? '',
    address: venue?.address ?? '',
    timeZone: venue?.timeZone ?? browserZone(),
    latitude: venue ? String(venue.latitude) : '',
    longitude: venue ? String(venue.longitude) : '',
    radiusM: String(venue?.radiusM ?? defaultRadiusM),
  };
}

function VenueForm(props: { venue?: Venue }) {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const [, navigate] = useLocation();
  const save = useSaveVenue(organizer.id, props.venue?.id);
  const form = useForm<VenueValues>({ defaultValues: valuesOf(props.venue) });
  const { errors } = form.formState;
  const zones = useMemo(() => zonesWith(form.getValues('timeZone')), [form]);
  const submit = form.handleSubmit((values) =>
    save
      .mutateAsync({
        name: values.name.trim(),
        address: values.address.trim(),
        timeZone: values.timeZone,
        latitude: Number(values.latitude),
        longitude: Number(values.longitude),
        radiusM: Number(values.radiusM),
      })
      .then((venue) =>
        navigate(props.venue ? '/venues' : `/venues/${encodeURIComponent(venue.id)}/seat-map`),
      )
      .catch(() => undefined),
  );
  const [latitude, longitude, radiusM] = form.watch(['latitude', 'longitude', 'radiusM']);
  return (
    <div className="venue-editor">
      <form onSubmit={submit} noValidate>
        <Field label={t('venues.name')} error={errors.name}>
          <input
            {...form.register('name', {
              validate: (value) => value.trim().length > 0 || t('common.required'),
              maxLength: {
                value: venueLimits.nameCharsMax,
                message: t('venues.tooLong', { max: venueLimits.nameCharsMax }),
              },
            })}
          />
        </Field>
        <Field label={t('venues.address')} error={errors.address}>
          <input
            autoComplete="street-address"
            {...form.register('address', {
              validate: (value) => value.trim().length > 0 || t('common.required'),
              maxLength: {
                value: venueLimits.addressCharsMax,
                message: t('venues.tooLong', { max: venueLimits.addressCharsMax }),
              },
            })}
          />
        </Field>
        <Field label={t('venues.timeZone')} error={errors.timeZone} hint={t('venues.timeZoneHint')}>
          <select {...form.register('timeZone', { required: t('common.required') })}>
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </Field>
        <GeofenceFields form={form} />
        <FormFailure error={save.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {props.venue ? t('common.save') : t('venues.create')}
          </button>
          <button type="button" onClick={() => navigate('/venues')}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
      <GeofenceSketch
        latitude={Number(latitude)}
        longitude={Number(longitude)}
        radiusM={Number(radiusM)}
      />
    </div>
  );
}

/** The point and radius a gate terminal's GPS fix must fall within, as the server limits them. */
function GeofenceFields(props: { form: UseFormReturn<VenueValues> }) {
  const { t } = useI18n();
  const { form } = props;
  const { errors } = form.formState;
  const coordinate = (min: number, max: number, message: string) => ({
    validate: (value: string) => {
      if (value.trim() === '') return t('common.required');
      const number = Number(value);
      return (decimal.test(value.trim()) && number >= min && number <= max) || message;
    },
  });
  return (
    <fieldset className="geofence">
      <legend>{t('venues.geofence')}</legend>
      <p className="hint">{t('venues.geofenceHint')}</p>
      <Field label={t('venues.latitude')} error={errors.latitude} hint={t('venues.latitudeHint')}>
        <input
          inputMode="decimal"
          {...form.register('latitude', coordinate(-90, 90, t('venues.badLatitude')))}
        />
      </Field>
      <Field
        label={t('venues.longitude')}
        error={errors.longitude}
        hint={t('venues.longitudeHint')}
      >
        <input
          inputMode="decimal"
          {...form.register('longitude', coordinate(-180, 180, t('venues.badLongitude')))}
        />
      </Field>
      <Field label={t('venues.radius')} error={errors.radiusM}>
        <input
          inputMode="numeric"
          {...form.register('radiusM', {
            validate: (value) => {
              const number = Number(value);
              return (
                (/^[0-9]+$/.test(value.trim()) &&
                  number >= venueLimits.radiusMMin &&
                  number <= venueLimits.radiusMMax) ||
                t('venues.badRadius', {
                  min: venueLimits.radiusMMin,
                  max: venueLimits.radiusMMax,
                })
              );
            },
          })}
        />
      </Field>
    </fieldset>
  );
}
