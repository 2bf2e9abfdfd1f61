/**
 * The categories of the event form (a react-hook-form field array): each with its name, price
 * (in a crypto asset, or in the exchange's fiat currency paid in crypto at a rate locked when
 * ordering), seating (sections of the venue's map, shown coloured on the map, or a standing area
 * with a number of places) and its product: a ticket, rides, a time pass or stored value.
 */
import {
  type Control,
  type UseFormReturn,
  useController,
  useFieldArray,
  useWatch,
} from 'react-hook-form';
import { useI18n } from '../i18n.ts';
import { Field } from '../ui/form.tsx';
import { type MapSeat, SeatMapView } from '../ui/seat-map.tsx';
import type { Assets, SeatMap, Venue } from './api.ts';
import { amount, later, venueTime, wholeNumber } from './checks.ts';
import { type EventValues, kinds, limits, newCategory } from './form-model.ts';

/** Colours of the categories on the map, in order; a free seat is grey. */
export const categoryColours = [
  '#2f6fdf',
  '#d9822b',
  '#2e9d5b',
  '#b0409c',
  '#c73a3a',
  '#1c9aa8',
  '#7a5cd6',
  '#8a7a2a',
];
const freeColour = '#c9ccd1';
export const colourOf = (index: number) =>
  categoryColours[index % categoryColours.length] ?? freeColour;

export function CategoriesField(props: {
  form: UseFormReturn<EventValues>;
  venue: Venue | undefined;
  seatMap: SeatMap | undefined;
  assets: Assets;
  editable: boolean;
}) {
  const { t } = useI18n();
  const { control } = props.form;
  const { fields, append, remove } = useFieldArray({ control, name: 'categories' });
  return (
    <fieldset className="event-categories">
      <legend>{t('events.section.categories')}</legend>
      {props.venue && props.seatMap ? (
        <CategoryMap control={control} venue={props.venue} seatMap={props.seatMap} />
      ) : null}
      {fields.map((field, index) => (
        <CategoryFields
          key={field.id}
          index={index}
          form={props.form}
          venue={props.venue}
          assets={props.assets}
          removable={props.editable && !field.existing}
          onRemove={() => remove(index)}
        />
      ))}
      {props.editable && fields.length < limits.categoriesMax ? (
        <button type="button" onClick={() => append(newCategory(props.assets.fiat))}>
          {t('events.category.add')}
        </button>
      ) : null}
    </fieldset>
  );
}

/** The venue's map with each seat in its category's colour, as the form stands. */
function CategoryMap(props: { control: Control<EventValues>; venue: Venue; seatMap: SeatMap }) {
  const { t } = useI18n();
  const categories = useWatch({ control: props.control, name: 'categories' });
  const sectionOwner = new Map<string, number>();
  const seatOwner = new Map<string, number>();
  categories.forEach((category, index) => {
    if (category.seating !== 'seated') return;
    for (const section of category.sections ?? []) sectionOwner.set(section, index);
    for (const seat of category.seats ?? []) seatOwner.set(seat, index);
  });
  const seats: MapSeat[] = [];
  let rowIndex = 0;
  for (const section of props.seatMap.sections) {
    for (const row of section.rows) {
      row.seats.forEach((seat, seatIndex) => {
        const reference = `${section.name}/${row.label}/${seat.number}`;
        const owner = seatOwner.get(reference) ?? sectionOwner.get(section.name);
        seats.push({
          key: seat.id,
          x: seat.x ?? seatIndex,
          y: seat.y ?? rowIndex,
          label: `${section.name} ${row.label}-${seat.number}`,
          colour: owner === undefined ? freeColour : colourOf(owner),
          accessible: seat.accessible,
        });
      });
      rowIndex += 1;
    }
  }
  if (seats.length === 0) return null;
  const legend = [
    ...categories.flatMap((category, index) =>
      category.seating === 'seated' && category.name
        ? [{ colour: colourOf(index), label: category.name }]
        : [],
    ),
    { colour: freeColour, label: t('events.map.free') },
  ];
  return (
    <SeatMapView
      label={t('events.map.label', { venue: props.venue.name })}
      seats={seats}
      legend={legend}
    />
  );
}

function CategoryFields(props: {
  index: number;
  form: UseFormReturn<EventValues>;
  venue: Venue | undefined;
  assets: Assets;
  removable: boolean;
  onRemove(): void;
}) {
  const { t } = useI18n();
  const { index, form, assets } = props;
  const { register, control, formState } = form;
  const errors = formState.errors.categories?.[index];
  const name = `categories.${index}` as const;
  const category = useWatch({ control, name });
  const timeZone = props.venue?.timeZone ?? 'Asia/Seoul';
  const cryptoAssets = assets.assets.filter((asset) => asset.kind === 'crypto');
  return (
    <section
      className="event-category"
      aria-label={t('events.category.title', { number: index + 1 })}
    >
      <h3>
        <i className="swatch" style={{ background: colourOf(index) }} aria-hidden="true" />
        {t('events.category.title', { number: index + 1 })}
      </h3>
      <Field
        label={t('events.category.name')}
        error={errors?.name}
        {...(category.existing ? { hint: t('events.category.existingName') } : {})}
      >
        <input
          readOnly={category.existing}
          {...register(`${name}.name`, {
            validate: (value, all) => {
              if (!value.trim()) return t('events.check.required');
              if (value.length > limits.categoryNameCharsMax) {
                return t('events.check.tooLong', { max: limits.categoryNameCharsMax });
              }
              const same = all.categories.filter((other) => other.name.trim() === value.trim());
              return same.length < 2 || t('events.check.sameName');
            },
          })}
        />
      </Field>
      <div className="field-row">
        <Field label={t('events.category.pricing')} error={errors?.pricing}>
          <select
            {...register(`${name}.pricing`, {
              onChange: (event) =>
                form.setValue(
                  `${name}.priceAsset`,
                  event.target.value === 'fiat' ? assets.fiat : (cryptoAssets[0]?.code ?? ''),
                ),
            })}
          >
            <option value="fiat">{t('events.pricing.fiat', { fiat: assets.fiat })}</option>
            <option value="crypto">{t('events.pricing.crypto')}</option>
          </select>
        </Field>
        {category.pricing === 'crypto' ? (
          <Field label={t('events.category.asset')} error={errors?.priceAsset}>
            <select {...register(`${name}.priceAsset`)}>
              {cryptoAssets.map((asset) => (
                <option key={asset.code} value={asset.code}>
                  {asset.code}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <Field
          label={`${t('events.category.price')} (${category.priceAsset})`}
          error={errors?.price}
        >
          <input
            inputMode="decimal"
            {...register(`${name}.price`, {
              validate: (value, all) =>
                amount(t, assets, all.categories[index]?.priceAsset ?? '')(value),
            })}
          />
        </Field>
      </div>
      <SeatingFields index={index} form={form} venue={props.venue} />
      <ProductFields index={index} form={form} assets={assets} timeZone={timeZone} />
      {props.removable ? (
        <button type="button" className="danger" onClick={props.onRemove}>
          {t('events.category.remove')}
        </button>
      ) : null}
    </section>
  );
}

function SeatingFields(props: {
  index: number;
  form: UseFormReturn<EventValues>;
  venue: Venue | undefined;
}) {
  const { t, fmt } = useI18n();
  const { index, form, venue } = props;
  const { register, control, formState } = form;
  const errors = formState.errors.categories?.[index];
  const name = `categories.${index}` as const;
  const category = useWatch({ control, name });
  const area = venue?.areas.find((candidate) => candidate.name === category.area);
  return (
    <>
      <Field label={t('events.category.seating')} error={errors?.seating}>
        <select {...register(`${name}.seating`)}>
          <option value="seated">{t('events.seating.seated')}</option>
          <option value="ga">{t('events.seating.ga')}</option>
        </select>
      </Field>
      {category.seating === 'seated' ? (
        <SectionChoice index={index} form={form} venue={venue} />
      ) : (
        <div className="field-row">
          <Field label={t('events.category.area')} error={errors?.area}>
            <select
              {...register(`${name}.area`, {
                validate: (value, all) =>
                  all.categories[index]?.seating !== 'ga' ||
                  value !== '' ||
                  t('events.check.required'),
              })}
            >
              <option value="" />
              {(venue?.areas ?? []).map((candidate) => (
                <option key={candidate.id} value={candidate.name}>
                  {candidate.name} ({fmt.count(candidate.capacity)})
                </option>
              ))}
            </select>
          </Field>
          <Field
            label={t('events.category.quota')}
            error={errors?.quota}
            {...(area
              ? { hint: t('events.category.quotaHint', { capacity: fmt.count(area.capacity) }) }
              : {})}
          >
            <input
              inputMode="numeric"
              {...register(`${name}.quota`, {
                validate: (value) => {
                  const capacity = area?.capacity ?? limits.quotaMax;
                  const whole = wholeNumber(t, 1, limits.quotaMax, true)(value);
                  if (whole !== true) return whole;
                  return (
                    value === '' ||
                    Number(value) <= capacity ||
                    t('events.check.quota', { capacity: fmt.count(capacity) })
                  );
                },
              })}
            />
          </Field>
        </div>
      )}
    </>
  );
}

/** A seated category's sections, as checkboxes; a section is in one category at most. */
function SectionChoice(props: {
  index: number;
  form: UseFormReturn<EventValues>;
  venue: Venue | undefined;
}) {
  const { t, fmt } = useI18n();
  const { index, form, venue } = props;
  const name = `categories.${index}` as const;
  const seats = useWatch({ control: form.control, name: `${name}.seats` });
  // Controlled: the checked sections are the form's array, toggled one at a time.
  const { field, fieldState } = useController({
    control: form.control,
    name: `${name}.sections`,
    rules: {
      validate: (sections, all) => {
        const mine = all.categories[index];
        if (mine?.seating !== 'seated') return true;
        if (sections.length === 0 && (mine.seats ?? []).length === 0) {
          return t('events.check.sections');
        }
        for (const chosen of sections) {
          const other = all.categories.find(
            (candidate, at) =>
              at !== index && candidate.seating === 'seated' && candidate.sections.includes(chosen),
          );
          if (other) return t('events.check.sectionTaken', { section: chosen, other: other.name });
        }
        return true;
      },
    },
  });
  const chosen: string[] = field.value ?? [];
  const toggle = (section: string, on: boolean) =>
    field.onChange(on ? [...chosen, section] : chosen.filter((other) => other !== section));
  return (
    <fieldset className="sections" aria-invalid={fieldState.error ? true : undefined}>
      <legend>{t('events.category.sections')}</legend>
      {(venue?.sections ?? []).map((section) => (
        <label key={section.name} className="check">
          <input
            type="checkbox"
            name={field.name}
            value={section.name}
            checked={chosen.includes(section.name)}
            onChange={(event) => toggle(section.name, event.target.checked)}
            onBlur={field.onBlur}
          />
          {section.name} <small>({fmt.count(section.seats)})</small>
        </label>
      ))}
      {seats?.length ? (
        <small className="hint">{t('events.category.singleSeats', { count: seats.length })}</small>
      ) : null}
      {fieldState.error?.message ? (
        <small className="field-error" role="alert">
          {fieldState.error.message}
        </small>
      ) : null}
    </fieldset>
  );
}

function ProductFields(props: {
  index: number;
  form: UseFormReturn<EventValues>;
  assets: Assets;
  timeZone: string;
}) {
  const { t } = useI18n();
  const { index, form, assets, timeZone } = props;
  const { register, control, formState } = form;
  const errors = formState.errors.categories?.[index];
  const name = `categories.${index}` as const;
  const category = useWatch({ control, name });
  return (
    <>
      <Field label={t('events.category.kind')} error={errors?.kind}>
        <select {...register(`${name}.kind`)}>
          {kinds.map((kind) => (
            <option key={kind} value={kind}>
              {t(`events.kind.${kind}`)}
            </option>
          ))}
        </select>
      </Field>
      <div className="field-row">
        {category.kind === 'multi' ? (
          <Field label={t('events.category.entriesAllowed')} error={errors?.entriesAllowed}>
            <input
              inputMode="numeric"
              {...register(`${name}.entriesAllowed`, {
                validate: (value, all) =>
                  all.categories[index]?.kind !== 'multi' ||
                  wholeNumber(t, 1, limits.entriesMax)(value),
              })}
            />
          </Field>
        ) : null}
        {category.kind === 'single' || category.kind === 'timed' ? (
          <label className="check">
            <input type="checkbox" {...register(`${name}.reentryAllowed`)} />
            {t('events.category.reentryAllowed')}
          </label>
        ) : null}
      </div>
      {category.kind === 'timed' ? (
        <div className="field-row">
          <Field
            label={t('events.category.validFrom')}
            error={errors?.validFrom}
            hint={t('events.category.validHint')}
          >
            <input
              type="datetime-local"
              {...register(`${name}.validFrom`, { validate: venueTime(t, timeZone, false) })}
            />
          </Field>
          <Field label={t('events.category.validUntil')} error={errors?.validUntil}>
            <input
              type="datetime-local"
              {...register(`${name}.validUntil`, {
                validate: (value, all) => {
                  const time = venueTime(t, timeZone, false)(value);
                  if (time !== true) return time;
                  const from = all.categories[index]?.validFrom ?? '';
                  return !from || !value || later(value, from) || t('events.check.validUntil');
                },
              })}
            />
          </Field>
        </div>
      ) : null}
      {category.kind === 'stored_value' ? (
        <div className="field-row">
          <Field label={t('events.category.storedValue')} error={errors?.storedValue}>
            <input
              inputMode="decimal"
              {...register(`${name}.storedValue`, {
                validate: (value, all) => {
                  const mine = all.categories[index];
                  if (mine?.kind !== 'stored_value') return true;
                  return amount(t, assets, mine.storedValueAsset || mine.priceAsset)(value);
                },
              })}
            />
          </Field>
          <Field label={t('events.category.storedValueAsset')} error={errors?.storedValueAsset}>
            <select {...register(`${name}.storedValueAsset`)}>
              <option value="">{t('events.category.sameAsPrice')}</option>
              {assets.assets.map((asset) => (
                <option key={asset.code} value={asset.code}>
                  {asset.code}
                </option>
              ))}
            </select>
          </Field>
        </div>
      ) : null}
    </>
  );
}
