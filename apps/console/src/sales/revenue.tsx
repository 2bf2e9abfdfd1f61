/** Revenue per asset, each with what it is worth in KRW at the exchange's current rate. */
import { useI18n } from '../i18n.ts';
import { useRates } from './api.ts';
import { fiatValue } from './money.ts';

export function Revenue(props: { lines: readonly { asset: string; amount: string }[] }) {
  const { t, fmt } = useI18n();
  const rates = useRates();
  if (props.lines.length === 0) return <span>{t('sales.noRevenue')}</span>;
  const fiat = rates.data?.fiat ?? 'KRW';
  return (
    <ul className="sales-revenue">
      {props.lines.map((line) => {
        const rate =
          line.asset === fiat
            ? '1'
            : rates.data?.rates.find((entry) => entry.asset === line.asset)?.rate;
        const value = rate ? fiatValue(line.amount, rate) : undefined;
        return (
          <li key={line.asset}>
            <strong>{fmt.money(line.amount, line.asset)}</strong>
            {line.asset === fiat ? null : (
              <span className="sales-fiat">
                {value !== undefined
                  ? t('sales.worth', { value: fmt.money(value, fiat) })
                  : rates.isPending
                    ? t('common.loading')
                    : t('sales.noRate')}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
