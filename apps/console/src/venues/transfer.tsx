/**
 * Import and export of the seat map in the formats the server takes (catalogue.md): JSON
 * (the body of PUT /v1/venues/{id}/seat-map) and CSV (`section,row,seat,x,y,accessible,
 * capacity`). An import only draws the map in the editor; saving sends it.
 */
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useI18n } from '../i18n.ts';
import { Field } from '../ui/form.tsx';
import { parseSeatMapFile, SeatFileError, toSeatMapCsv } from './seat-files.ts';
import type { SeatMapJson } from './seat-model.ts';

/** Files larger than this are not read: 100,000 seats of CSV is about 4 MB. */
const importBytesMax = 8_000_000;

function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

/** A file name from the venue's name: "Seoul Arts Center" → "seoul-arts-center-seat-map". */
function fileStem(venueName: string): string {
  const slug = venueName
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'venue'}-seat-map`;
}

export function SeatMapExport(props: { venueName: string; map: () => SeatMapJson }) {
  const { t } = useI18n();
  const stem = fileStem(props.venueName);
  return (
    <div className="actions">
      <button
        type="button"
        onClick={() =>
          download(`${stem}.json`, `${JSON.stringify(props.map(), null, 2)}\n`, 'application/json')
        }
      >
        {t('venues.export.json')}
      </button>
      <button
        type="button"
        onClick={() => download(`${stem}.csv`, toSeatMapCsv(props.map()), 'text/csv')}
      >
        {t('venues.export.csv')}
      </button>
    </div>
  );
}

export function SeatMapImport(props: { onImport(map: SeatMapJson): void }) {
  const { t } = useI18n();
  const [fileError, setFileError] = useState<string>();
  const paste = useForm<{ text: string }>({ defaultValues: { text: '' } });
  const unreadable = (error: unknown) =>
    t('venues.import.unreadable', {
      message: error instanceof SeatFileError ? error.message : String(error),
    });
  const readFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > importBytesMax) {
      setFileError(t('venues.import.tooLarge'));
      return;
    }
    try {
      props.onImport(parseSeatMapFile(await file.text()));
      setFileError(undefined);
    } catch (error) {
      setFileError(unreadable(error));
    }
  };
  const showPasted = paste.handleSubmit(({ text }) => {
    try {
      props.onImport(parseSeatMapFile(text));
      paste.reset({ text: '' });
    } catch (error) {
      paste.setError('text', { message: unreadable(error) });
    }
  });
  return (
    <section className="seat-import" aria-labelledby="import-title">
      <h2 id="import-title">{t('venues.import.title')}</h2>
      <p className="hint">{t('venues.import.hint')}</p>
      <Field label={t('venues.import.file')} error={fileError}>
        <input
          type="file"
          accept=".json,.csv,.txt,application/json,text/csv,text/plain"
          onChange={(event) => {
            void readFile(event.currentTarget.files?.[0]);
            event.currentTarget.value = '';
          }}
        />
      </Field>
      <Field label={t('venues.import.paste')} error={paste.formState.errors.text}>
        <textarea
          rows={4}
          {...paste.register('text', {
            validate: (value) => value.trim().length > 0 || t('common.required'),
          })}
        />
      </Field>
      <button type="button" onClick={() => void showPasted()}>
        {t('venues.import.show')}
      </button>
    </section>
  );
}
