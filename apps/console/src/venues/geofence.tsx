/**
 * The venue's geofence as a sketch: the venue's point, the circle a gate terminal must stand in,
 * a grid and a scale bar, north up. No map tiles (the console loads nothing from third parties);
 * the coordinates are what the organizer copies from any map, and the sketch shows the radius
 * to scale so a typo of a zero stands out.
 */
import { useI18n } from '../i18n.ts';

/** Half-widths the sketch may show, in metres: the smallest that holds the circle is chosen. */
const spansM = [50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000];
/** The circle fills at most this share of the sketch's half-width, so its edge stays visible. */
const fillMax = 0.8;

export function GeofenceSketch(props: { latitude: number; longitude: number; radiusM: number }) {
  const { t, fmt } = useI18n();
  const { latitude, longitude, radiusM } = props;
  const valid =
    Number.isFinite(latitude) &&
    Number.isFinite(longitude) &&
    Number.isFinite(radiusM) &&
    Math.abs(latitude) <= 90 &&
    Math.abs(longitude) <= 180 &&
    radiusM > 0;
  const spanM = spansM.find((span) => radiusM <= span * fillMax) ?? (spansM.at(-1) as number);
  // The sketch is 200 × 200 units across 2 × spanM metres.
  const scale = 100 / spanM;
  const gridM = spanM / 2;
  const lines = [-2, -1, 1, 2].map((i) => 100 + i * gridM * scale);
  const distance = (metres: number) =>
    metres >= 1_000 ? `${fmt.count(metres / 1_000)} km` : `${fmt.count(metres)} m`;
  return (
    <figure className="geofence-sketch">
      <svg
        viewBox="0 0 200 200"
        role="img"
        aria-label={
          valid
            ? t('venues.sketchLabel', { latitude, longitude, radius: distance(radiusM) })
            : t('venues.sketchEmpty')
        }
      >
        <rect x="0" y="0" width="200" height="200" className="ground" />
        {lines.map((at) => (
          <g key={at} className="grid">
            <line x1={at} y1="0" x2={at} y2="200" />
            <line x1="0" y1={at} x2="200" y2={at} />
          </g>
        ))}
        {valid ? (
          <>
            <circle cx="100" cy="100" r={radiusM * scale} className="fence" />
            <circle cx="100" cy="100" r="2.5" className="point" />
          </>
        ) : null}
        <g className="north">
          <path d="M 186 22 L 191 10 L 196 22 Z" />
          <text x="191" y="32" textAnchor="middle" className="label">
            N
          </text>
        </g>
        <g className="scale-bar">
          <line x1="8" y1="190" x2={8 + gridM * scale} y2="190" />
          <text x="8" y="184" className="label">
            {distance(gridM)}
          </text>
        </g>
      </svg>
      <figcaption className="hint">
        {valid ? t('venues.sketchCaption', { radius: distance(radiusM) }) : t('venues.sketchEmpty')}
      </figcaption>
    </figure>
  );
}
