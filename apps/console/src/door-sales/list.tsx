/**
 * The door sales of a performance as they happen (re-read every 3 s, api.ts): newest first, with
 * the gate and terminal that sold, the category, the tickets, the amount and where the sale
 * stands; above them the totals the server counts over every sale, not only those listed.
 */
import { useI18n } from '../i18n.ts';
import { Loaded } from '../ui/page.tsx';
import { type DoorSale, type DoorSales, useDoorSales } from './api.ts';

/** The server lists at most this many, newest first (the totals count every sale). */
const doorSalesListedMax = 500;

export function DoorSalesList(props: { performanceId: string; zone: string }) {
  const { t } = useI18n();
  const sales = useDoorSales(props.performanceId);
  return (
    <section aria-labelledby="door-sales-list">
      <h2 id="door-sales-list">{t('doorSales.list.title')}</h2>
      <p className="hint">{t('doorSales.list.live')}</p>
      <Loaded query={sales}>
        {(data) => (
          <>
            <Totals totals={data.totals} />
            {data.doorSales.length >= doorSalesListedMax ? (
              <p>{t('doorSales.list.shown', { count: doorSalesListedMax })}</p>
            ) : null}
            {data.doorSales.length === 0 ? (
              <p>{t('doorSales.list.none')}</p>
            ) : (
              <SalesTable sales={data.doorSales} zone={props.zone} />
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}

function Totals(props: { totals: DoorSales['totals'] }) {
  const { t, fmt } = useI18n();
  const { totals } = props;
  const figures = [
    ['offers', t('doorSales.totals.offers'), totals.offers],
    ['claimed', t('doorSales.totals.claimed'), totals.claimed],
    ['admitted', t('doorSales.totals.admitted'), totals.admitted],
    ['cancelled', t('doorSales.totals.cancelled'), totals.cancelled],
    ['tickets', t('doorSales.totals.tickets'), totals.tickets],
  ] as const;
  return (
    <section aria-label={t('doorSales.totals.title')} className="door-sales-totals">
      <dl>
        {figures.map(([field, label, value]) => (
          <div key={field} data-figure={field}>
            <dt>{label}</dt>
            <dd>{fmt.count(value)}</dd>
          </div>
        ))}
        <div data-figure="revenue">
          <dt>{t('doorSales.totals.revenue')}</dt>
          <dd>
            {totals.revenue.length === 0
              ? t('doorSales.totals.noRevenue')
              : totals.revenue.map((line) => fmt.money(line.amount, line.asset)).join(' · ')}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function statusKey(status: string) {
  if (status === 'open') return 'doorSales.status.open' as const;
  if (status === 'claimed') return 'doorSales.status.claimed' as const;
  if (status === 'admitted') return 'doorSales.status.admitted' as const;
  return 'doorSales.status.cancelled' as const;
}

function SalesTable(props: { sales: readonly DoorSale[]; zone: string }) {
  const { t, fmt } = useI18n();
  return (
    <table className="door-sales-table">
      <thead>
        <tr>
          <th scope="col">{t('doorSales.list.time')}</th>
          <th scope="col">{t('doorSales.list.gate')}</th>
          <th scope="col">{t('doorSales.list.terminal')}</th>
          <th scope="col">{t('doorSales.list.category')}</th>
          <th scope="col" className="number">
            {t('doorSales.list.quantity')}
          </th>
          <th scope="col" className="number">
            {t('doorSales.list.amount')}
          </th>
          <th scope="col">{t('doorSales.list.status')}</th>
        </tr>
      </thead>
      <tbody>
        {props.sales.map((sale) => (
          <tr key={sale.id} data-door-sale={sale.id} data-status={sale.status}>
            <th scope="row">{fmt.time(sale.createdAt, props.zone)}</th>
            <td>{sale.gate}</td>
            <td>{sale.terminalName}</td>
            <td>{sale.category}</td>
            <td className="number">{fmt.count(sale.quantity)}</td>
            <td className="number">
              {sale.amount !== null && sale.asset !== null
                ? fmt.money(sale.amount, sale.asset)
                : ''}
            </td>
            <td>{t(statusKey(sale.status))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
