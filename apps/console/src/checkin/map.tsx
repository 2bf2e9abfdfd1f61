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
import { Component, type ReactNode, useEffect, useRef } from 'react';
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
const terminalRadiusPx = 7;
const maxZoom = 19;

function LeafletMap(props: {
  venue: Venue;
  terminals: readonly CheckinTerminal[];
  points: readonly Point[];
  tiles: MapTiles | null | undefined;
}) {
  const { t, fmt } = useI18n();
  const holder = useRef<HTMLElement>(null);
  const map = useRef<{ map: L.Map; points: L.LayerGroup; terminals: L.LayerGroup }>(null);
  const drawn = useRef<{ list: readonly Point[]; count: number }>({ list: [], count: 0 });
  const { latitude, longitude, radiusM } = props.venue;
  const tileUrl = props.tiles?.url;
  const attribution = props.tiles?.attribution;

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
    map.current = {
      map: made,
      points: L.layerGroup().addTo(made),
      terminals: L.layerGroup().addTo(made),
    };
    drawn.current = { list: [], count: 0 };
    return () => {
      made.remove();
      map.current = null;
    };
  }, [latitude, longitude, radiusM, tileUrl, attribution]);

  // Points: a list that grew by appending gets its new tail drawn; any other change redraws.
  useEffect(() => {
    const layers = map.current;
    if (!layers) return;
    const { list, count } = drawn.current;
    const appended =
      count > 0 && props.points.length >= count && props.points[count - 1] === list[count - 1];
    if (!appended) layers.points.clearLayers();
    for (const point of props.points.slice(appended ? count : 0)) {
      L.circleMarker([point.latitude, point.longitude], {
        radius: pointRadiusPx,
        stroke: false,
        fillColor: point.outsideVenue ? mapColours.outside : mapColours.admission,
        fillOpacity: point.outsideVenue ? 0.95 : 0.6,
      }).addTo(layers.points);
    }
    drawn.current = { list: props.points, count: props.points.length };
  }, [props.points]);

  useEffect(() => {
    const layers = map.current;
    if (!layers) return;
    layers.terminals.clearLayers();
    for (const terminal of props.terminals) {
      if (!terminal.lastFix) continue;
      L.circleMarker([terminal.lastFix.latitude, terminal.lastFix.longitude], {
        radius: terminalRadiusPx,
        color: terminal.outsideVenue ? mapColours.outside : mapColours.terminal,
        weight: 3,
        fillColor: '#ffffff',
        fillOpacity: 1,
      })
        .bindTooltip(`${terminal.name} (${terminal.gate})`, {
          permanent: true,
          direction: 'right',
          className: terminal.outsideVenue ? 'checkin-map-label outside' : 'checkin-map-label',
        })
        .addTo(layers.terminals);
    }
  }, [props.terminals]);

  const outside = props.points.filter((p) => p.outsideVenue).length;
  return (
    <section aria-labelledby="checkin-map" className="checkin-map">
      <h2 id="checkin-map">{t('checkin.map.title')}</h2>
      <section
        ref={holder}
        className="checkin-map-canvas"
        aria-label={t('checkin.map.label')}
        data-points={props.points.length}
        data-outside-points={outside}
        data-tiles={tileUrl ? 'on' : 'off'}
      ></section>
      <p className="hint">
        {t('checkin.map.points', { count: fmt.count(props.points.length), outside })}{' '}
        {tileUrl ? null : t('checkin.map.noTiles')}
      </p>
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
      </ul>
    </section>
  );
}

type MapProps = Parameters<typeof LeafletMap>[0];

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
