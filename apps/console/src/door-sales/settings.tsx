/**
 * What the gates may sell for a performance: door sales on or off, which categories (every one
 * of the event, or those ticked), and how many tickets one sale may carry. Saved with PUT; the
 * server checks each category belongs to the event and refuses sales against the settings.
 * Only roles with manage_catalogue may save; others see the settings read-only.
 */
import { useEffect, useState } from 'react';
import type { EventCategory } from '../events/api.ts';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Field, FormFailure, Notice } from '../ui/form.tsx';
import { Loaded } from '../ui/page.tsx';
import { type DoorSaleSettings, useDoorSaleSettings, useSaveDoorSaleSettings } from './api.ts';

/** The server's bounds for tickets per door sale. */
const maxPerSaleLimits = { min: 1, max: 20 } as const;

export function DoorSaleSettingsForm(props: {
  performanceId: string;
  categories: readonly EventCategory[];
}) {
  const { t } = useI18n();
  const settings = useDoorSaleSettings(props.performanceId);
  return (
    <section aria-labelledby="door-sales-settings">
      <h2 id="door-sales-settings">{t('doorSales.settings.title')}</h2>
      <p>{t('doorSales.settings.intro')}</p>
      <Loaded query={settings}>
        {(current) => (
          <SettingsForm
            performanceId={props.performanceId}
            categories={props.categories}
            current={current}
          />
        )}
      </Loaded>
    </section>
  );
}

function SettingsForm(props: {
  performanceId: string;
  categories: readonly EventCategory[];
  current: DoorSaleSettings;
}) {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const save = useSaveDoorSaleSettings(props.performanceId);
  const readOnly = !organizer.can('manage_catalogue');
  const [enabled, setEnabled] = useState(props.current.enabled);
  const [all, setAll] = useState(props.current.categoryIds === null);
  const [picked, setPicked] = useState<ReadonlySet<string>>(
    new Set(props.current.categoryIds ?? []),
  );
  const [max, setMax] = useState(String(props.current.maxPerSale));
  const [errors, setErrors] = useState<{
    categories?: string | undefined;
    max?: string | undefined;
  }>({});
  // A change saved elsewhere (or this form's own save) shows once it is read back.
  useEffect(() => {
    setEnabled(props.current.enabled);
    setAll(props.current.categoryIds === null);
    setPicked(new Set(props.current.categoryIds ?? []));
    setMax(String(props.current.maxPerSale));
  }, [props.current]);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const maxPerSale = Number(max);
    const next = {
      categories: !all && picked.size === 0 ? t('doorSales.settings.pickOne') : undefined,
      max:
        Number.isInteger(maxPerSale) &&
        maxPerSale >= maxPerSaleLimits.min &&
        maxPerSale <= maxPerSaleLimits.max
          ? undefined
          : t('doorSales.settings.maxRange'),
    };
    setErrors(next);
    if (next.categories || next.max) return;
    save
      .mutateAsync({ enabled, categoryIds: all ? null : [...picked], maxPerSale })
      .catch(() => undefined);
  };
  const toggle = (id: string, on: boolean) => {
    const set = new Set(picked);
    if (on) set.add(id);
    else set.delete(id);
    setPicked(set);
    save.reset();
  };
  return (
    <form onSubmit={submit} noValidate className="door-sales-settings">
      <fieldset disabled={readOnly}>
        <label className="check">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(e) => setEnabled(e.currentTarget.checked)}
          />{' '}
          {t('doorSales.settings.enabled')}
        </label>
        <CategoryPicker
          categories={props.categories}
          all={all}
          picked={picked}
          error={errors.categories}
          onAll={setAll}
          onPick={toggle}
        />
        <Field
          label={t('doorSales.settings.maxPerSale')}
          hint={t('doorSales.settings.maxHint')}
          error={errors.max}
        >
          <input
            type="number"
            inputMode="numeric"
            min={maxPerSaleLimits.min}
            max={maxPerSaleLimits.max}
            value={max}
            onChange={(e) => setMax(e.currentTarget.value)}
          />
        </Field>
        <FormFailure error={save.error} />
        {save.isSuccess ? <Notice>{t('doorSales.settings.saved')}</Notice> : null}
        {readOnly ? null : (
          <button type="submit" className="primary" disabled={save.isPending}>
            {t('doorSales.settings.save')}
          </button>
        )}
      </fieldset>
    </form>
  );
}

function CategoryPicker(props: {
  categories: readonly EventCategory[];
  all: boolean;
  picked: ReadonlySet<string>;
  error: string | undefined;
  onAll(all: boolean): void;
  onPick(id: string, on: boolean): void;
}) {
  const { t } = useI18n();
  return (
    <fieldset aria-describedby={props.error ? 'door-sales-pick-error' : undefined}>
      <legend>{t('doorSales.settings.categories')}</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={props.all}
          onChange={(e) => props.onAll(e.currentTarget.checked)}
        />{' '}
        {t('doorSales.settings.allCategories')}
      </label>
      {props.all
        ? null
        : props.categories.map((category) => (
            <label key={category.id} className="check">
              <input
                type="checkbox"
                checked={props.picked.has(category.id)}
                onChange={(e) => props.onPick(category.id, e.currentTarget.checked)}
              />{' '}
              {category.name}
            </label>
          ))}
      {props.error ? (
        <small id="door-sales-pick-error" className="field-error" role="alert">
          {props.error}
        </small>
      ) : null}
    </fieldset>
  );
}
