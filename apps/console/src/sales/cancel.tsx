/**
 * Cancelling a performance with its mass refund. Before: how many tickets will be cancelled and
 * refunded and how much per asset (the sales report's live tickets of the performance), and a
 * typed confirmation (the performance's code). Then the cancel call, again while the server says
 * unpaid orders could not be closed yet (it is resumable, as the command line's `performance
 * cancel` relies on), with progress read from the sales report while it works: tickets
 * cancelled of the total, refunds queued, and the refunds the exchange has paid back (as
 * `refunds <ev_…> --wait` follows them).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { Field, FormFailure } from '../ui/form.tsx';
import { type PerformanceSales, type SalesReport, salesKey, useSalesReport } from './api.ts';
import { Revenue } from './revenue.tsx';

/** How often the progress is read while the server cancels. */
const progressPollMs = 1_000;
/** Calls while unpaid orders stay open at the exchange, and the pause between them. */
const cancelRunsMax = 10;
const cancelRetryMs = 3_000;
/** A cancellation of thousands of tickets is one long call: well past the usual limit. */
const cancelTimeoutMs = 10 * 60_000;

const refundCount = (report: SalesReport | undefined, status: string) =>
  report?.refunds.find((r) => r.status === status)?.count ?? 0;

interface Run {
  total: number;
  /** Refunds finished (done or failed) before the run: the paid-back count starts after them. */
  finishedBefore: number;
  cancelled: number;
  queued: number;
  ordersPending: number;
}

export function CancelPerformance(props: {
  eventId: string;
  performance: PerformanceSales;
  when: string;
}) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const report = useSalesReport(props.eventId);
  const [open, setOpen] = useState(false);
  const [run, setRun] = useState<Run | undefined>(undefined);
  const { performance } = props;
  const cancel = useMutation({
    mutationFn: async (first: Run) => {
      let current = first;
      setRun(current);
      for (let attempt = 0; attempt < cancelRunsMax; attempt++) {
        const done = await api.call(
          (init) =>
            api.ticketing.POST('/v1/performances/{performanceId}/cancel', {
              ...init,
              params: { path: { performanceId: performance.id } },
            }),
          { timeoutMs: cancelTimeoutMs },
        );
        current = {
          ...current,
          cancelled: current.cancelled + done.ticketsCancelled,
          queued: current.queued + done.refundsQueued,
          ordersPending: done.ordersPending,
        };
        setRun(current);
        if (done.ordersPending === 0) return;
        await new Promise((resolve) => setTimeout(resolve, cancelRetryMs));
      }
    },
    // Refused before anything was done: back to the form, which shows why.
    onError: () => setRun((current) => (current && current.cancelled > 0 ? current : undefined)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: salesKey(props.eventId) }),
  });
  if (run) return <CancelProgress eventId={props.eventId} run={run} error={cancel.error} />;
  if (performance.status !== 'scheduled') return null;
  const start = () =>
    cancel.mutate({
      total: performance.totals.tickets,
      finishedBefore: refundCount(report.data, 'done') + refundCount(report.data, 'failed'),
      cancelled: 0,
      queued: 0,
      ordersPending: 0,
    });
  return (
    <section aria-labelledby="sales-cancel" className="sales-cancel">
      <h2 id="sales-cancel">{t('sales.cancelTitle')}</h2>
      {open ? (
        <CancelForm
          {...props}
          error={cancel.error}
          pending={cancel.isPending}
          onConfirm={start}
          onClose={() => setOpen(false)}
        />
      ) : (
        <button type="button" className="danger" onClick={() => setOpen(true)}>
          {t('sales.cancelOpen')}
        </button>
      )}
    </section>
  );
}

function CancelForm(props: {
  performance: PerformanceSales;
  when: string;
  error: unknown;
  pending: boolean;
  onConfirm(): void;
  onClose(): void;
}) {
  const { t, fmt } = useI18n();
  const { performance } = props;
  const form = useForm<{ code: string }>({ defaultValues: { code: '' } });
  return (
    <form onSubmit={form.handleSubmit(() => props.onConfirm())} noValidate>
      <p>
        {t('sales.cancelWhat', {
          when: props.when,
          tickets: fmt.count(performance.totals.tickets),
        })}
      </p>
      <Revenue lines={performance.totals.revenue} />
      <p>{t('sales.cancelWarning')}</p>
      <Field
        label={t('sales.cancelType', { code: performance.code })}
        error={form.formState.errors.code}
      >
        <input
          type="text"
          autoComplete="off"
          {...form.register('code', {
            validate: (value) =>
              value.trim() === performance.code ||
              t('sales.cancelTypeWrong', { code: performance.code }),
          })}
        />
      </Field>
      <FormFailure error={props.error} />
      <button type="submit" className="danger" disabled={props.pending}>
        {t('sales.cancelConfirm')}
      </button>
      <button type="button" onClick={props.onClose}>
        {t('common.cancel')}
      </button>
    </form>
  );
}

function CancelProgress(props: { eventId: string; run: Run; error: unknown }) {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const report = useSalesReport(props.eventId);
  const { run } = props;
  const pending = refundCount(report.data, 'pending');
  const finished =
    refundCount(report.data, 'done') + refundCount(report.data, 'failed') - run.finishedBefore;
  const paying = pending > 0 || run.cancelled < run.total || run.ordersPending > 0;
  useEffect(() => {
    if (!paying) return;
    const timer = setInterval(
      () => queryClient.invalidateQueries({ queryKey: salesKey(props.eventId) }),
      progressPollMs,
    );
    return () => clearInterval(timer);
  }, [paying, queryClient, props.eventId]);
  return (
    <section aria-labelledby="sales-cancel" className="sales-cancel">
      <h2 id="sales-cancel">{t('sales.cancelProgressTitle')}</h2>
      <p role="status" data-progress="tickets">
        <progress max={Math.max(run.total, 1)} value={run.cancelled} />{' '}
        {t('sales.cancelTickets', { done: fmt.count(run.cancelled), total: fmt.count(run.total) })}
      </p>
      <p>{t('sales.cancelQueued', { count: fmt.count(run.queued) })}</p>
      <p data-progress="refunds">
        <progress max={Math.max(finished + pending, 1)} value={Math.max(finished, 0)} />{' '}
        {t('sales.cancelPaidBack', {
          done: fmt.count(Math.max(finished, 0)),
          total: fmt.count(Math.max(finished, 0) + pending),
        })}
      </p>
      <FormFailure error={props.error} />
      {run.ordersPending > 0 ? (
        <p>{t('sales.cancelOrdersPending', { count: fmt.count(run.ordersPending) })}</p>
      ) : null}
    </section>
  );
}
