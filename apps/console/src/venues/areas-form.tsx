/**
 * The standing (general-admission) areas: a name and a capacity each, as the server stores
 * them. They have no position at the server; the map draws them under the seats.
 */
import { type Dispatch, useEffect } from 'react';
import { useForm } from 'react-hook-form';
import { useI18n } from '../i18n.ts';
import { Field } from '../ui/form.tsx';
import type { EditorAction } from './editor-state.ts';
import { type StandingArea, seatMapLimits } from './seat-model.ts';

/** A new area's capacity: a small standing floor, to be changed. */
const defaultCapacity = 100;

export function AreasForm(props: {
  areas: readonly StandingArea[];
  dispatch: Dispatch<EditorAction>;
}) {
  const { t } = useI18n();
  const { areas, dispatch } = props;
  const add = () =>
    dispatch({
      type: 'addArea',
      name: t('venues.area.defaultName', { index: areas.length + 1 }),
      capacity: defaultCapacity,
    });
  return (
    <section className="areas-form" aria-labelledby="areas-title">
      <h2 id="areas-title">{t('venues.area.title')}</h2>
      {areas.length === 0 ? <p className="hint">{t('venues.area.none')}</p> : null}
      {areas.map((area, index) => (
        <AreaFields key={area.id} area={area} index={index} dispatch={dispatch} />
      ))}
      <button type="button" onClick={add} disabled={areas.length >= seatMapLimits.areasMax}>
        {t('venues.area.add')}
      </button>
    </section>
  );
}

function AreaFields(props: {
  area: StandingArea;
  index: number;
  dispatch: Dispatch<EditorAction>;
}) {
  const { t } = useI18n();
  const { area, dispatch } = props;
  const form = useForm({
    defaultValues: { name: area.name, capacity: String(area.capacity) },
    mode: 'onChange',
  });
  const { errors } = form.formState;
  useEffect(() => {
    const subscription = form.watch(() => {
      void form.trigger().then((valid) => {
        if (!valid) return;
        const values = form.getValues();
        dispatch({
          type: 'updateArea',
          id: area.id,
          patch: { name: values.name.trim(), capacity: Number(values.capacity) },
        });
      });
    });
    return () => subscription.unsubscribe();
  }, [form, dispatch, area.id]);
  return (
    <fieldset className="area-form">
      <legend>{t('venues.area.legend', { index: props.index + 1 })}</legend>
      <Field label={t('venues.area.name')} error={errors.name}>
        <input
          {...form.register('name', {
            validate: (value) => {
              const text = value.trim();
              if (!text) return t('common.required');
              if (text.length > seatMapLimits.areaNameCharsMax) {
                return t('venues.tooLong', { max: seatMapLimits.areaNameCharsMax });
              }
              return !text.includes('/') || t('venues.block.noSlash');
            },
          })}
        />
      </Field>
      <Field label={t('venues.area.capacity')} error={errors.capacity}>
        <input
          inputMode="numeric"
          {...form.register('capacity', {
            validate: (value) => {
              const n = Number(value.trim());
              return (
                (/^[0-9]+$/.test(value.trim()) && n >= 1 && n <= seatMapLimits.areaCapacityMax) ||
                t('venues.block.range', { min: 1, max: seatMapLimits.areaCapacityMax })
              );
            },
          })}
        />
      </Field>
      <button
        type="button"
        className="danger"
        onClick={() => dispatch({ type: 'removeArea', id: area.id })}
      >
        {t('venues.area.remove')}
      </button>
    </fieldset>
  );
}
