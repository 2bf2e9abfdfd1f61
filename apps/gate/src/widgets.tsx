/** Small pieces every screen uses: a labelled text field, and a sentence that went wrong. */
import type { InputHTMLAttributes } from 'react';

/** A text field inside its label, so the label names it; `onText` gets what was typed. */
export function TextField({
  label,
  onText,
  ...input
}: { label: string; onText(text: string): void } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label>
      {label}
      <input autoComplete="off" onChange={(event) => onText(event.target.value)} {...input} />
    </label>
  );
}

/** A sentence that went wrong, read out as soon as it shows (role="alert"). */
export function Alert({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}
