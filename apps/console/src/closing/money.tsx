/**
 * The report's money: revenue per asset as the ticketing server counts it, checked line by line
 * against what the exchange's payment requests say (match or mismatch, stated plainly, with the
 * orders the exchange does not list and the payments that differ), and the stored-value refunds.
 */
import { useI18n } from '../i18n.ts';
import type { GateReport } from './api.ts';

/** "52.50" and "52.5" are the same amount: compare decimal strings without trailing zeros. */
export function sameAmount(a: string, b: string): boolean {
  const plain = (value: string) => (value.includes('.') ? value.replace(/\.?0+$/, '') : value);
  return plain(a) === plain(b);
}

/** Whether the exchange agrees: checked, nothing missing or different, every asset's paid equal. */
export function exchangeVerdict(
  report: GateReport,
): 'match' | 'mismatch' | 'incomplete' | 'unavailable' {
  const { exchange, revenue } = report;
  if (exchange.status === 'unavailable') return 'unavailable';
  const assets = new Set([...revenue, ...exchange.revenue].map((line) => line.asset));
  const agrees = [...assets].every((asset) =>
    sameAmount(
      revenue.find((line) => line.asset === asset)?.paid ?? '0',
      exchange.revenue.find((line) => line.asset === asset)?.paid ?? '0',
    ),
  );
  if (!agrees || exchange.missing.length > 0 || exchange.mismatched.length > 0) return 'mismatch';
  return exchange.status === 'checked' ? 'match' : 'incomplete';
}

export function Money(props: { report: GateReport }) {
  const { t, fmt } = useI18n();
  const { report } = props;
  const verdict = exchangeVerdict(report);
  const theirs = (asset: string) => report.exchange.revenue.find((line) => line.asset === asset);
  return (
    <>
      <section aria-labelledby="closing-revenue">
        <h3 id="closing-revenue">{t('closing.revenue')}</h3>
        <table className="closing-revenue">
          <thead>
            <tr>
              <th scope="col">{t('closing.asset')}</th>
              <th scope="col" className="number">
                {t('closing.orders')}
              </th>
              <th scope="col" className="number">
                {t('closing.paid')}
              </th>
              <th scope="col" className="number">
                {t('closing.refunded')}
              </th>
              <th scope="col" className="number">
                {t('closing.refundsPending')}
              </th>
              <th scope="col" className="number">
                {t('closing.net')}
              </th>
              <th scope="col" className="number">
                {t('closing.exchange')}
              </th>
            </tr>
          </thead>
          <tbody>
            {report.revenue.map((line) => (
              <tr key={line.asset} data-asset={line.asset}>
                <th scope="row">{line.asset}</th>
                <td className="number">{fmt.count(line.orders)}</td>
                <td className="number">{fmt.money(line.paid, line.asset)}</td>
                <td className="number">{fmt.money(line.refunded, line.asset)}</td>
                <td className="number">{fmt.money(line.refundsPending, line.asset)}</td>
                <td className="number">{fmt.money(line.net, line.asset)}</td>
                <td className="number">
                  {theirs(line.asset)
                    ? fmt.money(theirs(line.asset)?.paid ?? '0', line.asset)
                    : t('closing.unknown')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className={`closing-verdict ${verdict}`} data-verdict={verdict} role="status">
          {t(`closing.exchange.${verdict}`)}
        </p>
        <ExchangeProblems exchange={report.exchange} />
      </section>
      <StoredValue refunds={report.storedValueRefunds} />
    </>
  );
}

function ExchangeProblems(props: { exchange: GateReport['exchange'] }) {
  const { t, fmt } = useI18n();
  const { missing, mismatched } = props.exchange;
  const rows = [
    ...missing.map((row) => ({ ...row, problem: t('closing.exchange.missing', { count: 1 }) })),
    ...mismatched,
  ];
  if (rows.length === 0) return null;
  return (
    <table className="closing-exchange-problems">
      <caption>
        {t('closing.exchange.missing', { count: fmt.count(missing.length) })} ·{' '}
        {t('closing.exchange.mismatched', { count: fmt.count(mismatched.length) })}
      </caption>
      <thead>
        <tr>
          <th scope="col">{t('closing.exchange.order')}</th>
          <th scope="col">{t('closing.exchange.request')}</th>
          <th scope="col">{t('closing.exchange.problem')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.requestId}>
            <th scope="row">{row.orderId}</th>
            <td>{row.requestId}</td>
            <td>{row.problem}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StoredValue(props: { refunds: GateReport['storedValueRefunds'] }) {
  const { t, fmt } = useI18n();
  return (
    <section aria-labelledby="closing-stored-value">
      <h3 id="closing-stored-value">{t('closing.storedValue')}</h3>
      {props.refunds.length === 0 ? (
        <p>{t('closing.storedValueNone')}</p>
      ) : (
        <table className="closing-stored-value">
          <thead>
            <tr>
              <th scope="col">{t('closing.asset')}</th>
              <th scope="col" className="number">
                {t('closing.amount')}
              </th>
              <th scope="col" className="number">
                {t('closing.count')}
              </th>
              <th scope="col" className="number">
                {t('closing.confirmed')}
              </th>
            </tr>
          </thead>
          <tbody>
            {props.refunds.map((line) => (
              <tr key={line.asset}>
                <th scope="row">{line.asset}</th>
                <td className="number">{fmt.money(line.amount, line.asset)}</td>
                <td className="number">{fmt.count(line.count)}</td>
                <td className="number">{fmt.count(line.done)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
