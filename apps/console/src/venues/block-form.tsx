/**
 * One block's fields beside the map: its section, size, labels, numbering, curve and offsets,
 * and where it stands (arrow buttons and x, y), plus "select row" for keyboard users. A valid
 * change redraws the block at once; an invalid one keeps the last good drawing and says what is
 * wrong next to the field.
 */
import { type Dispatch, useEffect } from 'react';
import { type UseFormReturn, useForm } from 'react-hook-form';
import { useI18n } from '../i18n.ts';
import { Field } from '../ui/form.tsx';
import type { EditorAction } from './editor-state.ts';
import { type Block, blockSeats, firstRowPattern, seatMapLimits } from './seat-model.ts';
import { counted } from './words-of-map.ts';

/** Limits on one block, so a typo cannot make a million seats; the whole map has the server's. */
export const blockLimits = {
  rowsMax: 200,
  seatsPerRowMax: 500,
  firstSeatMax: 9_999,
  positionAbsMax: 10_000,
  curveAbsMax: 100,
  offsetAbsMax: 10,
} as const;

interface BlockValues {
  section: string;
  x: string;
  y: string;
  rows: string;
  seatsPerRow: string;
  firstRow: string;
  firstSeat: string;
  numbering: 'ltr' | 'rtl';
  curve: string;
  rowOffset: string;
  stagger: string;
}

function valuesOf(block: Block): BlockValues {
  const grid = block.kind === 'grid' ? block : undefined;
  return {
    section: block.section,
    x: String(block.x),
    y: String(block.y),
    rows: String(grid?.rows ?? ''),
    seatsPerRow: String(grid?.seatsPerRow ?? ''),
    firstRow: grid?.firstRow ?? '',
    firstSeat: String(grid?.firstSeat ?? ''),
    numbering: grid?.numbering ?? 'ltr',
    curve: String(grid?.curve ?? 0),
    rowOffset: String(grid?.rowOffset ?? 0),
    stagger: String(grid?.stagger ?? 0),
  };
}

const numberPattern = /^-?[0-9]+(\.[0-9]+)?$/;
const wholePattern = /^[0-9]+$/;

export function BlockForm(props: {
  block: Block;
  index: number;
  dispatch: Dispatch<EditorAction>;
}) {
  const { t } = useI18n();
  const { block, dispatch } = props;
  const form = useForm<BlockValues>({ defaultValues: valuesOf(block), mode: 'onChange' });
  const { errors } = form.formState;
  const grid = block.kind === 'grid';

  useLiveBlock(form, block, dispatch);

  const number: NumberRule = (min, max, whole = false) => ({
    validate: (value: string) => {
      const text = value.trim();
      const ok = (whole ? wholePattern : numberPattern).test(text);
      const n = Number(text);
      return (ok && n >= min && n <= max) || t('venues.block.range', { min, max });
    },
  });
  const seats = blockSeats(block);
  return (
    <fieldset className="block-form">
      <legend>
        {grid
          ? t('venues.block.legend', { index: props.index + 1 })
          : t('venues.block.importedLegend', { index: props.index + 1 })}
      </legend>
      <p className="hint">
        {t('venues.block.seatCount', { seats: counted(t, 'seats', seats.length) })}
      </p>
      <div className="block-grid">
        <Field label={t('venues.block.section')} error={errors.section}>
          <input
            {...form.register('section', {
              validate: (value) => {
                const text = value.trim();
                if (!text) return t('common.required');
                if (text.length > seatMapLimits.sectionNameCharsMax) {
                  return t('venues.tooLong', { max: seatMapLimits.sectionNameCharsMax });
                }
                return !text.includes('/') || t('venues.block.noSlash');
              },
            })}
          />
        </Field>
        {grid ? <GridFields form={form} number={number} /> : null}
        <Field label={t('venues.block.x')} error={errors.x}>
          <input
            inputMode="decimal"
            {...form.register('x', number(-blockLimits.positionAbsMax, blockLimits.positionAbsMax))}
          />
        </Field>
        <Field label={t('venues.block.y')} error={errors.y}>
          <input
            inputMode="decimal"
            {...form.register('y', number(-blockLimits.positionAbsMax, blockLimits.positionAbsMax))}
          />
        </Field>
      </div>
      <BlockActions block={block} dispatch={dispatch} />
    </fieldset>
  );
}

/**
 * A valid change redraws the block while the fields stay as typed; a move by the arrows (or any
 * change from outside) updates x and y unless they already say the same.
 */
function useLiveBlock(
  form: UseFormReturn<BlockValues>,
  block: Block,
  dispatch: Dispatch<EditorAction>,
) {
  useEffect(() => {
    const subscription = form.watch(() => {
      void form.trigger().then((valid) => {
        if (!valid) return;
        const v = form.getValues();
        dispatch({
          type: 'updateBlock',
          id: block.id,
          patch: {
            section: v.section.trim(),
            x: Number(v.x),
            y: Number(v.y),
            ...(block.kind === 'grid'
              ? {
                  rows: Number(v.rows),
                  seatsPerRow: Number(v.seatsPerRow),
                  firstRow: v.firstRow.toUpperCase(),
                  firstSeat: Number(v.firstSeat),
                  numbering: v.numbering,
                  curve: Number(v.curve),
                  rowOffset: Number(v.rowOffset),
                  stagger: Number(v.stagger),
                }
              : {}),
          },
        });
      });
    });
    return () => subscription.unsubscribe();
  }, [form, dispatch, block.id, block.kind]);

  useEffect(() => {
    if (Number(form.getValues('x')) !== block.x) form.setValue('x', String(block.x));
    if (Number(form.getValues('y')) !== block.y) form.setValue('y', String(block.y));
  }, [form, block.x, block.y]);
}

/** Moving the block by one unit, bringing back deleted seats, removing it; and "select row". */
function BlockActions(props: { block: Block; dispatch: Dispatch<EditorAction> }) {
  const { t } = useI18n();
  const { block, dispatch } = props;
  const move = (dx: number, dy: number) => dispatch({ type: 'moveBlock', id: block.id, dx, dy });
  const removed = block.removed.length;
  return (
    <>
      <div className="actions move">
        <button type="button" onClick={() => move(-1, 0)} aria-label={t('venues.block.left')}>
          ←
        </button>
        <button type="button" onClick={() => move(0, -1)} aria-label={t('venues.block.up')}>
          ↑
        </button>
        <button type="button" onClick={() => move(0, 1)} aria-label={t('venues.block.down')}>
          ↓
        </button>
        <button type="button" onClick={() => move(1, 0)} aria-label={t('venues.block.right')}>
          →
        </button>
      </div>
      <RowPicker block={block} dispatch={dispatch} />
      <div className="actions">
        {removed > 0 ? (
          <button type="button" onClick={() => dispatch({ type: 'restoreBlock', id: block.id })}>
            {t('venues.block.restore', { seats: counted(t, 'seats', removed) })}
          </button>
        ) : null}
        <button
          type="button"
          className="danger"
          onClick={() => dispatch({ type: 'removeBlock', id: block.id })}
        >
          {t('venues.block.remove')}
        </button>
      </div>
    </>
  );
}

type NumberRule = (
  min: number,
  max: number,
  whole?: boolean,
) => {
  validate: (value: string) => true | string;
};

/** The fields only a drawn block has: its size, labels, numbering and shape. */
function GridFields(props: { form: UseFormReturn<BlockValues>; number: NumberRule }) {
  const { t } = useI18n();
  const { form, number } = props;
  const { errors } = form.formState;
  return (
    <>
      <Field label={t('venues.block.rows')} error={errors.rows}>
        <input
          inputMode="numeric"
          {...form.register('rows', number(1, blockLimits.rowsMax, true))}
        />
      </Field>
      <Field label={t('venues.block.seatsPerRow')} error={errors.seatsPerRow}>
        <input
          inputMode="numeric"
          {...form.register('seatsPerRow', number(1, blockLimits.seatsPerRowMax, true))}
        />
      </Field>
      <Field
        label={t('venues.block.firstRow')}
        error={errors.firstRow}
        hint={t('venues.block.firstRowHint')}
      >
        <input
          {...form.register('firstRow', {
            validate: (value) =>
              firstRowPattern.test(value.trim()) || t('venues.block.badFirstRow'),
          })}
        />
      </Field>
      <Field label={t('venues.block.firstSeat')} error={errors.firstSeat}>
        <input
          inputMode="numeric"
          {...form.register('firstSeat', number(1, blockLimits.firstSeatMax, true))}
        />
      </Field>
      <Field label={t('venues.block.numbering')}>
        <select {...form.register('numbering')}>
          <option value="ltr">{t('venues.block.ltr')}</option>
          <option value="rtl">{t('venues.block.rtl')}</option>
        </select>
      </Field>
      <Field
        label={t('venues.block.curve')}
        error={errors.curve}
        hint={t('venues.block.curveHint')}
      >
        <input
          inputMode="decimal"
          {...form.register('curve', number(-blockLimits.curveAbsMax, blockLimits.curveAbsMax))}
        />
      </Field>
      <Field
        label={t('venues.block.rowOffset')}
        error={errors.rowOffset}
        hint={t('venues.block.rowOffsetHint')}
      >
        <input
          inputMode="decimal"
          {...form.register(
            'rowOffset',
            number(-blockLimits.offsetAbsMax, blockLimits.offsetAbsMax),
          )}
        />
      </Field>
      <Field
        label={t('venues.block.stagger')}
        error={errors.stagger}
        hint={t('venues.block.staggerHint')}
      >
        <input
          inputMode="decimal"
          {...form.register('stagger', number(-blockLimits.offsetAbsMax, blockLimits.offsetAbsMax))}
        />
      </Field>
    </>
  );
}

/** Select a row, or one seat of it, without the pointer. */
function RowPicker(props: { block: Block; dispatch: Dispatch<EditorAction> }) {
  const { t } = useI18n();
  const { block } = props;
  const seats = blockSeats(block);
  const rows = [...new Set(seats.map((seat) => seat.row))];
  const form = useForm<{ row: string; seat: string }>({
    defaultValues: { row: rows[0] ?? '', seat: '' },
  });
  const row = form.watch('row');
  const numbers = seats.filter((seat) => seat.row === row).map((seat) => seat.number);
  const select = form.handleSubmit((values) =>
    props.dispatch({
      type: 'selectRow',
      blockId: block.id,
      row: values.row,
      ...(values.seat ? { number: values.seat } : {}),
      additive: false,
    }),
  );
  if (rows.length === 0) return null;
  return (
    <div className="row-picker">
      <Field label={t('venues.block.pickRow')}>
        <select {...form.register('row')}>
          {rows.map((label) => (
            <option key={label} value={label}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('venues.block.pickSeat')}>
        <select {...form.register('seat')}>
          <option value="">{t('venues.block.wholeRow')}</option>
          {numbers.map((number) => (
            <option key={number} value={number}>
              {number}
            </option>
          ))}
        </select>
      </Field>
      <button type="button" onClick={() => void select()}>
        {t('venues.block.select')}
      </button>
    </div>
  );
}
