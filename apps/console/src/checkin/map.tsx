/**
 * The check-in map (issue 20 item 2; patent unit 414, the GPS of every admission): the venue's
 * geofence, each terminal's last position with its name, and every admission's position as a
 * small circle, those outside the geofence in red. Leaflet draws on one canvas (`preferCanvas`),
 * so the 20,000 points a snapshot may hold stay fast; a new admission adds its one point.
 *
 * Tiles come only from the tile server the console is configured with (CONSOLE_TILE_URL, with
 * its attribution); without one, or when it does not answer, the map is a plain background that
 * still pans and zooms, fitted to the geofence. A tile that fails to load is simply not drawn.
 */
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { Component, type ReactNode, type RefObject, useEffect, useRef } from 'react';
import type { MapTiles } from '../app-config.ts';
import { useI18n } from '../i18n.ts';
import type { CheckinTerminal, Point } from './figures.ts';

export interface Venue {
  latitude: number;
  longitude: number;
  radiusM: number;
}

/**
 * Colours of the map (legible on tiles and on the plain background); the legend's swatches in
 * styles.css (`.checkin-legend`) use the same.
 */
export const mapColours = {
  geofence: '#2a6f97',
  admission: '#2a9d8f',
  outside: '#d00000',
  terminal: '#14213d',
} as const;

const pointRadiusPx = 3;
/** Larger, so a scan outside the venue stands out among thousands of others. */
const outsideRadiusPx = 5;
const terminalRadiusPx = 7;
const maxZoom = 19;

interface MapProps {
  venue: Venue;
  terminals: readonly CheckinTerminal[];
  points: readonly Point[];
  tiles: MapTiles | null | undefined;
}

interface Layers {
  map: L.Map;
  points: L.LayerGroup;
  terminals: L.LayerGroup;
  /** The points drawn so far: a list that only grew gets its tail drawn, not all again. */
  drawn: { list: readonly Point[]; count: number };
}

function LeafletMap(props: MapProps) {
  const { t, fmt } = useI18n();
  const holder = useRef<HTMLElement>(null);
  const layers = useLeaflet(holder, props.venue, props.tiles);
  usePoints(layers, props.points);
  useTerminals(layers, props.terminals);
  const { latitude, longitude, radiusM } = props.venue;
  const outside = props.points.filter((p) => p.outsideVenue).length;
  const terminalsOutside = props.terminals.filter((terminal) => terminal.outsideVenue);
  const fit = (all: boolean) => {
    const made = layers.current?.map;
    if (!made) return;
    const bounds = L.latLng(latitude, longitude).toBounds(radiusM * 2);
    if (all) {
      for (const point of props.points) bounds.extend([point.latitude, point.longitude]);
      for (const terminal of props.terminals) {
        if (terminal.lastFix)
          bounds.extend([terminal.lastFix.latitude, terminal.lastFix.longitude]);
      }
    }
    made.fitBounds(bounds, { padding: [24, 24], animate: false });
  };
  return (
    <section aria-labelledby="checkin-map" className="checkin-map">
      <h2 id="checkin-map">{t('checkin.map.title')}</h2>
      <section
        ref={holder}
        className="checkin-map-canvas"
        aria-label={t('checkin.map.label')}
        data-points={props.points.length}
        data-outside-points={outside}
        data-outside-terminals={terminalsOutside.length}
        data-tiles={props.tiles ? 'on' : 'off'}
      ></section>
      <div className="actions">
        <button type="button" onClick={() => fit(true)}>
          {t('checkin.map.fitAll')}
        </button>
        <button type="button" onClick={() => fit(false)}>
          {t('checkin.map.fitVenue')}
        </button>
      </div>
      <p className="hint">
        {t('checkin.map.points', { count: fmt.count(props.points.length), outside })}{' '}
        {props.tiles ? null : t('checkin.map.noTiles')}
      </p>
      {terminalsOutside.length > 0 ? (
        <p className="checkin-terminals-outside" data-testid="terminals-outside">
          {t('checkin.map.terminalsOutside', {
            names: terminalsOutside.map((terminal) => terminal.name).join(', '),
          })}
        </p>
      ) : null}
      <Legend />
    </section>
  );
}

/** The map itself: tiles if configured, fitted to the geofence, with its layers. */
function useLeaflet(
  holder: RefObject<HTMLElement | null>,
  venue: Venue,
  tiles: MapTiles | null | undefined,
) {
  const layers = useRef<Layers>(null);
  const { latitude, longitude, radiusM } = venue;
  const tileUrl = tiles?.url;
  const attribution = tiles?.attribution;
  useEffect(() => {
    const target = holder.current;
    if (!target) return;
    const made = L.map(target, { preferCanvas: true, maxZoom, attributionControl: true });
    if (tileUrl) {
      // A failing tile server leaves gaps in the background, nothing more (no retry storm:
      // Leaflet asks for each tile once per view).
      L.tileLayer(tileUrl, { maxZoom, attribution }).addTo(made);
    }
    // The view first: a layer added to a map without one waits, and cannot measure itself.
    made.fitBounds(L.latLng(latitude, longitude).toBounds(radiusM * 2), { padding: [24, 24] });
    L.circle([latitude, longitude], {
      radius: radiusM,
      color: mapColours.geofence,
      weight: 2,
      fillOpacity: 0.08,
    }).addTo(made);
    layers.current = {
      map: made,
      points: L.layerGroup().addTo(made),
      terminals: L.layerGroup().addTo(made),
      drawn: { list: [], count: 0 },
    };
    return () => {
      made.remove();
      layers.current = null;
    };
  }, [holder, latitude, longitude, radiusM, tileUrl, attribution]);
  return layers;
}

function usePoints(layers: RefObject<Layers | null>, points: readonly Point[]) {
  useEffect(() => {
    const current = layers.current;
    if (!current) return;
    const { list, count } = current.drawn;
    const appended = count > 0 && points.length >= count && points[count - 1] === list[count - 1];
    if (!appended) current.points.clearLayers();
    for (const point of points.slice(appended ? count : 0)) {
      L.circleMarker([point.latitude, point.longitude], {
        radius: point.outsideVenue ? outsideRadiusPx : pointRadiusPx,
        stroke: false,
        fillColor: point.outsideVenue ? mapColours.outside : mapColours.admission,
        fillOpacity: point.outsideVenue ? 0.95 : 0.6,
      }).addTo(current.points);
    }
    current.drawn = { list: points, count: points.length };
  }, [layers, points]);
}

function useTerminals(layers: RefObject<Layers | null>, terminals: readonly CheckinTerminal[]) {
  useEffect(() => {
    const current = layers.current;
    if (!current) return;
    current.terminals.clearLayers();
    for (const terminal of terminals) {
      if (!terminal.lastFix) continue;
      L.circleMarker([terminal.lastFix.latitude, terminal.lastFix.longitude], {
        radius: terminalRadiusPx,
        color: terminal.outsideVenue ? mapColours.outside : mapColours.terminal,
        weight: 3,
        // A ring: the admissions under the terminal stay visible.
        fill: false,
      })
        .bindTooltip(`${terminal.name} (${terminal.gate})`, {
          permanent: true,
          direction: 'right',
          className: terminal.outsideVenue ? 'checkin-map-label outside' : 'checkin-map-label',
        })
        .addTo(current.terminals);
    }
  }, [layers, terminals]);
}

function Legend() {
  const { t } = useI18n();
  return (
    <ul className="checkin-legend" aria-label={t('checkin.map.legend')}>
      <li>
        <span className="swatch ring geofence" />
        {t('checkin.map.geofence')}
      </li>
      <li>
        <span className="swatch ring terminal" />
        {t('checkin.map.terminal')}
      </li>
      <li>
        <span className="swatch dot admission" />
        {t('checkin.map.admission')}
      </li>
      <li data-legend="outside">
        <span className="swatch dot outside" />
        {t('checkin.map.outside')}
      </li>
      <li data-legend="terminal-outside">
        <span className="swatch ring outside" />
        {t('checkin.map.terminalOutside')}
      </li>
    </ul>
  );
}

/** The map, kept apart: should Leaflet fail in this browser, the dashboard stays. */
export function CheckinMap(props: MapProps) {
  const { t } = useI18n();
  return (
    <MapBoundary fallback={<p role="alert">{t('checkin.map.failed')}</p>}>
      <LeafletMap {...props} />
    </MapBoundary>
  );
}

class MapBoundary extends Component<{ fallback: ReactNode; children: ReactNode }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidCatch(error: unknown) {
    console.error('the check-in map failed', error);
  }

  override render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
