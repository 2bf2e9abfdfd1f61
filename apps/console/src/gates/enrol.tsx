/**
 * An enrolment code for a gate terminal: the event, the performances the terminal checks (those
 * still to come, ticked), and the gate's name; the code then shows as text and as the QR the gate
 * app scans, with when it expires. The server makes the code and its QR; the console only shows
 * them.
 */
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { type EventPerformance, useEvent, useOrganizerEvents } from '../events/api.ts';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Field, FormFailure } from '../ui/form.tsx';
import { type Enrolment, useEnrol } from './api.ts';

export function EnrolTerminal() {
  const { t } = useI18n();
  const [made, setMade] = useState<Enrolment>();
  return (
    <section aria-labelledby="gates-enrol" className="gates-enrol">
      <h2 id="gates-enrol">{t('gates.enrol.title')}</h2>
      {made ? (
        <EnrolmentCode enrolment={made} onAnother={() => setMade(undefined)} />
      ) : (
        <EnrolForm onMade={setMade} />
      )}
    </section>
  );
}

const toCome = (performance: EventPerformance) =>
  performance.status === 'scheduled' && Date.parse(performance.endsAt) > Date.now();

function EnrolForm(props: { onMade(enrolment: Enrolment): void }) {
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
  const form = useForm<{ gate: string }>({ defaultValues: { gate: '' } });

  // A newly chosen event starts with its performances still to come ticked.
  useEffect(() => {
    setPicked(new Set(event.data?.performances.filter(toCome).map((p) => p.id)));
  }, [event.data]);

  if (events.isSuccess && list.length === 0) return <p>{t('gates.enrol.noEvents')}</p>;
  const submit = form.handleSubmit(async ({ gate }) => {
    if (!event.data || picked.size === 0) {
      setPickError(t('gates.enrol.performancesRequired'));
      return;
    }
    setPickError(undefined);
    const body = {
      venueId: event.data.venue.id,
      gate: gate.trim(),
      performanceIds: [...picked],
    };
    await enrol.mutateAsync(body).then(props.onMade, () => undefined);
  });
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
        error={form.formState.errors.gate}
      >
        <input
          {...form.register('gate', {
            validate: (value) => value.trim().length > 0 || t('common.required'),
            maxLength: { value: 60, message: t('gates.enrol.gateTooLong') },
          })}
        />
      </Field>
      <FormFailure error={enrol.error} />
      <button type="submit" className="primary" disabled={enrol.isPending}>
        {t('gates.enrol.make')}
      </button>
    </form>
  );
}

function EnrolmentCode(props: { enrolment: Enrolment; onAnother(): void }) {
  const { t, fmt } = useI18n();
  const { enrolment } = props;
  return (
    <div className="enrolment-code">
      <h3>{t('gates.code.title', { gate: enrolment.gate })}</h3>
      <p className="code" data-testid="enrolment-code">
        {enrolment.code}
      </p>
      <img
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`}
        alt={t('gates.code.qr', { code: enrolment.code })}
        width={200}
        height={200}
      />
      <p>{t('gates.code.expires', { when: fmt.stamp(enrolment.expiresAt) })}</p>
      <button type="button" onClick={props.onAnother}>
        {t('gates.code.another')}
      </button>
    </div>
  );
}
