/**
 * A confirmation under a table row, for what cannot be undone from the console (removing a
 * staff member, retiring a key): the sentence says what will happen, the server's refusal shows
 * in words, and nothing happens until the named button is pressed. Inline rather than
 * `window.confirm`, so it is in the person's language and a screen reader reads it in place.
 */
import { useI18n } from '../i18n.ts';
import { FormFailure } from './form.tsx';

export function ConfirmRow(props: {
  columns: number;
  label: string;
  explain: string;
  confirm: string;
  pending: boolean;
  error: unknown;
  onConfirm(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  return (
    <tr>
      <td colSpan={props.columns}>
        <fieldset className="confirm" aria-label={props.label}>
          <p>{props.explain}</p>
          <FormFailure error={props.error} />
          <div className="actions">
            <button
              type="button"
              className="danger"
              disabled={props.pending}
              onClick={props.onConfirm}
            >
              {props.confirm}
            </button>
            <button type="button" onClick={props.onCancel}>
              {t('common.cancel')}
            </button>
          </div>
        </fieldset>
      </td>
    </tr>
  );
}
