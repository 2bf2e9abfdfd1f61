/**
 * The console's form pieces, shared by every feature. Forms use react-hook-form (why: one
 * `register` per field wires value, validation and its message without a state hook per input,
 * and it re-renders only the field that changed, which keeps a long event form quick):
 * `<Field>` shows the label, the input and the field's message right under it, tied to the
 * input by `aria-describedby` so a screen reader reads it too; `<FormFailure>` shows what the
 * server refused, in words (shell/errors.ts).
 */
import { cloneElement, type ReactElement, type ReactNode, useId } from 'react';
import type { FieldError } from 'react-hook-form';
import { useI18n } from '../i18n.ts';
import { describeError } from '../shell/errors.ts';

export function Field(props: {
  label: string;
  /** The field's message: a react-hook-form error or a sentence. */
  error?: FieldError | string | undefined;
  hint?: string;
  children: ReactElement<Record<string, unknown>>;
}) {
  const id = useId();
  const messageId = `${id}-message`;
  const hintId = `${id}-hint`;
  const message = typeof props.error === 'string' ? props.error : props.error?.message;
  const describedBy = [props.hint ? hintId : '', message ? messageId : ''].filter(Boolean);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {cloneElement(props.children, {
        id,
        'aria-invalid': message ? true : undefined,
        'aria-describedby': describedBy.length ? describedBy.join(' ') : undefined,
      })}
      {props.hint ? (
        <small id={hintId} className="hint">
          {props.hint}
        </small>
      ) : null}
      {message ? (
        <small id={messageId} className="field-error" role="alert">
          {message}
        </small>
      ) : null}
    </div>
  );
}

/** What the server refused, in words, or nothing. */
export function FormFailure(props: { error: unknown }) {
  const { t } = useI18n();
  if (!props.error) return null;
  return (
    <p className="failure" role="alert">
      {describeError(props.error, t)}
    </p>
  );
}

/** A confirmation or result line that a screen reader announces. */
export function Notice(props: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {props.children}
    </p>
  );
}
