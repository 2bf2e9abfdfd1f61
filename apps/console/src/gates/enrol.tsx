/**
 * Enrolment codes for gate terminals: the event, the performances the terminals check (those
 * still to come, ticked), and the gates' names, one per line: one code per gate, made one after
 * the other, each shown as text and as the QR the gate app scans, with when it expires, on a
 * printable sheet (staff hand the printout to each gate). The server makes the codes and their
 * QRs; the console only shows them.
 */
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { type EventPerformance, useEvent, useOrganizerEvents } from '../events/api.ts';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Field, FormFailure } from '../ui/form.tsx';
import { type Enrolment, useEnrol } from './api.ts';

/** Codes one request makes at most: a venue's gates, not a batch job (each is a server call). */
export const gatesPerRequestMax = 20;
const gateCharsMax = 60;

export function EnrolTerminal() {
  const { t } = useI18n();
  const [made, setMade] = useState<readonly Enrolment[]>();
  return (
    <section aria-labelledby="gates-enrol" className="gates-enrol">
      <h2 id="gates-enrol">{t('gates.enrol.title')}</h2>
      {made && made.length > 0 ? (
        <EnrolmentCodes enrolments={made} onAnother={() => setMade(undefined)} />
      ) : (
        <EnrolForm onMade={setMade} />
      )}
    </section>
  );
}

/** The gate names typed one per line: trimmed, blank lines dropped, each name once. */
export function gateNamesOf(text: string): string[] {
  return [...new Set(text.split('\n').map((line) => line.trim()))].filter(Boolean);
}

const toCome = (performance: EventPerformance) =>
  performance.status === 'scheduled' && Date.parse(performance.endsAt) > Date.now();

function EnrolForm(props: { onMade(enrolments: readonly Enrolment[]): void }) {
  const { t, fmt } = useI18n();
  const organizer = useOrganizer();
  const events = useOrganizerEvents(organizer.id);
  const list = events.data?.pages.flatMap((page) => page.events) ?? [];
  const [eventId, setEventId] = useState<string>();
  const chosenId = eventId ?? list[0]?.id;
  const event = useEvent(chosenId);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [pickError, setPickError] = useState<string>();
  const enrol = useEnrol(organizer.id);
  const form = useForm<{ gates: string }>({ defaultValues: { gates: '' } });

  // A newly chosen event starts with its performances still to come ticked.
  useEffect(() => {
    setPicked(new Set(event.data?.performances.filter(toCome).map((p) => p.id)));
  }, [event.data]);

  if (events.isSuccess && list.length === 0) return <p>{t('gates.enrol.noEvents')}</p>;
  const submit = form.handleSubmit(async ({ gates }) => {
    if (!event.data || picked.size === 0) {
      setPickError(t('gates.enrol.performancesRequired'));
      return;
    }
    setPickError(undefined);
    const made: Enrolment[] = [];
    // One after the other, so a refusal stops the rest and the codes made so far still show.
    for (const gate of gateNamesOf(gates)) {
      const body = { venueId: event.data.venue.id, gate, performanceIds: [...picked] };
      const enrolment = await enrol.mutateAsync(body).catch(() => undefined);
      if (!enrolment) break;
      made.push(enrolment);
    }
    if (made.length > 0) props.onMade(made);
  });
  const gatesRule = (value: string) => {
    const names = gateNamesOf(value);
    if (names.length === 0) return t('common.required');
    if (names.length > gatesPerRequestMax)
      return t('gates.enrol.tooManyGates', { max: gatesPerRequestMax });
    return names.every((name) => name.length <= gateCharsMax) || t('gates.enrol.gateTooLong');
  };
  const toggle = (id: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(id);
    else next.delete(id);
    setPicked(next);
  };
  return (
    <form onSubmit={submit} noValidate>
      <p>{t('gates.enrol.intro')}</p>
      <Field label={t('gates.enrol.event')}>
        <select value={chosenId ?? ''} onChange={(e) => setEventId(e.currentTarget.value)}>
          {list.map((item) => (
            <option key={item.id} value={item.id}>
              {item.name}
            </option>
          ))}
        </select>
      </Field>
      <fieldset aria-describedby={pickError ? 'gates-pick-error' : undefined}>
        <legend>{t('gates.enrol.performances')}</legend>
        {event.data?.performances.map((performance) => (
          <label key={performance.id} className="check">
            <input
              type="checkbox"
              checked={picked.has(performance.id)}
              onChange={(e) => toggle(performance.id, e.currentTarget.checked)}
            />{' '}
            {fmt.dateTime(performance.startsAt, event.data?.venue.timeZone)} · {performance.code}
          </label>
        ))}
        {pickError ? (
          <small id="gates-pick-error" className="field-error" role="alert">
            {pickError}
          </small>
        ) : null}
      </fieldset>
      <Field
        label={t('gates.enrol.gate')}
        hint={t('gates.enrol.gateHint')}
        error={form.formState.errors.gates}
      >
        <textarea rows={3} {...form.register('gates', { validate: gatesRule })} />
      </Field>
      <FormFailure error={enrol.error} />
      <button type="submit" className="primary" disabled={enrol.isPending}>
        {t('gates.enrol.make')}
      </button>
    </form>
  );
}

function EnrolmentCodes(props: { enrolments: readonly Enrolment[]; onAnother(): void }) {
  const { t } = useI18n();
  return (
    <div className="enrolment-codes">
      <p className="no-print">{t('gates.code.printHint')}</p>
      <div className="actions no-print">
        <button type="button" onClick={() => window.print()}>
          {t('gates.code.print')}
        </button>
        <button type="button" onClick={props.onAnother}>
          {t('gates.code.another')}
        </button>
      </div>
      <div className="enrolment-code-sheet">
        {props.enrolments.map((enrolment) => (
          <EnrolmentCode key={enrolment.code} enrolment={enrolment} />
        ))}
      </div>
    </div>
  );
}

function EnrolmentCode(props: { enrolment: Enrolment }) {
  const { t, fmt } = useI18n();
  const { enrolment } = props;
  return (
    <article className="enrolment-code" aria-labelledby={`code-${enrolment.code}`}>
      <h3 id={`code-${enrolment.code}`}>{t('gates.code.title', { gate: enrolment.gate })}</h3>
      <p className="code" data-testid="enrolment-code" data-gate={enrolment.gate}>
        {enrolment.code}
      </p>
      <img
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`}
        alt={t('gates.code.qr', { code: enrolment.code })}
        width={200}
        height={200}
      />
      <p>{t('gates.code.expires', { when: fmt.stamp(enrolment.expiresAt) })}</p>
    </article>
  );
}
