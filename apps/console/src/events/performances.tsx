/**
 * The performances of the event form (a field array): start, end, doors and the sales window,
 * typed and shown on the venue's clock (zone-time.ts turns them into instants), whatever zone
 * the browser is in. `PerformanceInputs` is also the "add a performance" form's body.
 */
import { type UseFormReturn, useFieldArray } from 'react-hook-form';
import { useI18n } from '../i18n.ts';
import { Field } from '../ui/form.tsx';
import { later, venueTime } from './checks.ts';
import { type EventValues, limits, newPerformance, type PerformanceValues } from './form-model.ts';

export function PerformancesField(props: {
  form: UseFormReturn<EventValues>;
  timeZone: string;
  /** New performances may be added and removed here (a new event); else one at a time. */
  growable: boolean;
}) {
  const { t } = useI18n();
  const { control, register, formState } = props.form;
  const { fields, append, remove } = useFieldArray({ control, name: 'performances' });
  return (
    <fieldset className="event-performances">
      <legend>{t('events.section.performances')}</legend>
      {fields.length === 0 ? <p>{t('events.performance.none')}</p> : null}
      {fields.map((field, index) => (
        <section
          key={field.id}
          className="event-performance"
          aria-label={t('events.performance.title', { number: index + 1 })}
        >
          <h3>{t('events.performance.title', { number: index + 1 })}</h3>
          <PerformanceInputs
            prefix={`performances.${index}.`}
            register={register as unknown as RegisterAny}
            errors={formState.errors.performances?.[index]}
            timeZone={props.timeZone}
            existing={field.existing}
            others={(values) =>
              (values as EventValues).performances
                .filter((_, at) => at !== index)
                .map((performance) => performance.startsAt)
            }
            own={(values) => (values as EventValues).performances[index]}
          />
          {props.growable && !field.existing ? (
            <button type="button" className="danger" onClick={() => remove(index)}>
              {t('events.performance.remove')}
            </button>
          ) : null}
        </section>
      ))}
      {props.growable && fields.length < limits.performancesMax ? (
        <button type="button" onClick={() => append(newPerformance())}>
          {t('events.performance.add')}
        </button>
      ) : null}
    </fieldset>
  );
}

/** `register` of either form that holds a performance's fields (the event's, the add form's). */
// biome-ignore lint/suspicious/noExplicitAny: the two forms' value types differ; the names are built here
export type RegisterAny = (name: any, options?: any) => Record<string, unknown>;

type PerformanceErrors = Partial<Record<keyof PerformanceValues, { message?: string }>>;

export function PerformanceInputs(props: {
  prefix: string;
  register: RegisterAny;
  errors: PerformanceErrors | undefined;
  timeZone: string;
  existing: boolean;
  /** The other performances' starts, from the form's values. */
  others(values: unknown): string[];
  own(values: unknown): PerformanceValues | undefined;
}) {
  const { t } = useI18n();
  const { prefix, register, errors, timeZone } = props;
  const time = (required: boolean) => venueTime(t, timeZone, required);
  return (
    <div className="field-row">
      <Field
        label={t('events.performance.startsAt')}
        error={errors?.startsAt?.message}
        {...(props.existing ? { hint: t('events.performance.existingStart') } : {})}
      >
        <input
          type="datetime-local"
          readOnly={props.existing}
          {...register(`${prefix}startsAt`, {
            validate: (value: string, values: unknown) => {
              const checked = time(true)(value);
              if (checked !== true) return checked;
              return !props.others(values).includes(value) || t('events.check.sameStart');
            },
          })}
        />
      </Field>
      <Field label={t('events.performance.endsAt')} error={errors?.endsAt?.message}>
        <input
          type="datetime-local"
          {...register(`${prefix}endsAt`, {
            validate: (value: string, values: unknown) => {
              const checked = time(true)(value);
              if (checked !== true) return checked;
              const start = props.own(values)?.startsAt ?? '';
              return !start || later(value, start) || t('events.check.afterStart');
            },
          })}
        />
      </Field>
      <Field
        label={t('events.performance.doorsAt')}
        error={errors?.doorsAt?.message}
        hint={t('events.performance.doorsHint')}
      >
        <input
          type="datetime-local"
          {...register(`${prefix}doorsAt`, {
            validate: (value: string, values: unknown) => {
              const checked = time(false)(value);
              if (checked !== true) return checked;
              const start = props.own(values)?.startsAt ?? '';
              return !value || !later(value, start) || t('events.check.notAfterStart');
            },
          })}
        />
      </Field>
      <Field
        label={t('events.performance.salesStart')}
        error={errors?.salesStart?.message}
        hint={t('events.performance.salesStartHint')}
      >
        <input
          type="datetime-local"
          {...register(`${prefix}salesStart`, { validate: time(false) })}
        />
      </Field>
      <Field
        label={t('events.performance.salesEnd')}
        error={errors?.salesEnd?.message}
        hint={t('events.performance.salesEndHint')}
      >
        <input
          type="datetime-local"
          {...register(`${prefix}salesEnd`, {
            validate: (value: string, values: unknown) => {
              const checked = time(false)(value);
              if (checked !== true || !value) return checked;
              const own = props.own(values);
              const bad =
                (own?.salesStart && !later(value, own.salesStart)) ||
                later(value, own?.endsAt ?? '');
              return !bad || t('events.check.salesEnd');
            },
          })}
        />
      </Field>
    </div>
  );
}
