/**
 * The report's listed cases: duplicates (the ticket's first entry beside the duplicate, so staff
 * see which gates and which modes let a copy in) and scans outside the venue (with the distance
 * from it). The server lists at most a fixed number of each; the total says how many there were.
 */
import { useI18n } from '../i18n.ts';
import type { GateReport } from './api.ts';

type Scan = GateReport['duplicates']['listed'][number]['duplicate'];

function useScanWords(zone: string | undefined) {
  const { t, fmt } = useI18n();
  return (scan: Scan | null) =>
    scan
      ? t('closing.scan', {
          gate: scan.terminalName ? `${scan.gate} (${scan.terminalName})` : scan.gate,
          when: fmt.dateTime(scan.at, zone),
          source:
            scan.source === 'offline' ? t('closing.source.offline') : t('closing.source.online'),
        })
      : t('closing.unknown');
}

function Shown(props: { listed: number; total: number }) {
  const { t, fmt } = useI18n();
  if (props.listed === 0) return <p>{t('closing.noneListed')}</p>;
  if (props.listed >= props.total) return null;
  return (
    <p>
      {t('closing.listedOf', { listed: fmt.count(props.listed), total: fmt.count(props.total) })}
    </p>
  );
}

export function DuplicatesList(props: {
  duplicates: GateReport['duplicates'];
  zone: string | undefined;
}) {
  const { t, fmt } = useI18n();
  const scan = useScanWords(props.zone);
  const { listed, total } = props.duplicates;
  return (
    <section aria-labelledby="closing-duplicates">
      <h3 id="closing-duplicates">{t('closing.duplicatesTitle', { total: fmt.count(total) })}</h3>
      <Shown listed={listed.length} total={total} />
      {listed.length === 0 ? null : (
        <table className="closing-duplicates">
          <thead>
            <tr>
              <th scope="col">{t('closing.ticket')}</th>
              <th scope="col">{t('closing.category')}</th>
              <th scope="col">{t('closing.seat')}</th>
              <th scope="col">{t('closing.first')}</th>
              <th scope="col">{t('closing.second')}</th>
            </tr>
          </thead>
          <tbody>
            {listed.map((row) => (
              <tr key={row.duplicate.admissionId} data-ticket={row.ticketNumber}>
                <th scope="row">{row.ticketNumber}</th>
                <td>{row.category}</td>
                <td>{row.seat ?? ''}</td>
                <td>{scan(row.first)}</td>
                <td>{scan(row.duplicate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function OutsideList(props: {
  outside: GateReport['outsideVenue'];
  zone: string | undefined;
}) {
  const { t, fmt } = useI18n();
  const { listed, total } = props.outside;
  return (
    <section aria-labelledby="closing-outside">
      <h3 id="closing-outside">{t('closing.outsideTitle', { total: fmt.count(total) })}</h3>
      <Shown listed={listed.length} total={total} />
      {listed.length === 0 ? null : (
        <table className="closing-outside">
          <thead>
            <tr>
              <th scope="col">{t('closing.ticket')}</th>
              <th scope="col">{t('closing.gate')}</th>
              <th scope="col">{t('closing.scannedAt')}</th>
              <th scope="col" className="number">
                {t('closing.distance')}
              </th>
            </tr>
          </thead>
          <tbody>
            {listed.map((row) => (
              <tr key={row.admissionId} data-ticket={row.ticketNumber}>
                <th scope="row">{row.ticketNumber}</th>
                <td>{row.terminalName ? `${row.gate} (${row.terminalName})` : row.gate}</td>
                <td>{fmt.dateTime(row.at, props.zone)}</td>
                <td className="number">
                  {row.distanceM === null
                    ? t('closing.unknown')
                    : t('closing.distanceM', { metres: fmt.count(Math.round(row.distanceM)) })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
