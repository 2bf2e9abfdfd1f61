/**
 * The seat map's zoom and pan, as plain arithmetic (no DOM): the map starts scaled to fit the
 * phone's width, zooms between that and a comfortable reading size, and is kept inside its frame
 * so it can never be dragged away. The hook in seat-map-zoom.ts feeds it pointer gestures.
 */

/** Where the map is: its scale and the top-left corner of the content in the frame, in CSS px. */
export interface MapView {
  scale: number;
  x: number;
  y: number;
}

/** The frame the map is seen through and the map's own size at scale 1, in CSS px. */
export interface MapFrame {
  /** The width the seats can use (the frame less the sticky row-label column). */
  areaWidth: number;
  /** How tall the frame may grow when zoomed in (a part of the window's height). */
  maxHeight: number;
  contentWidth: number;
  contentHeight: number;
}

/** At scale 1 a seat is 32 px; 1.5 makes it 48 px, larger than any finger needs. */
export const zoomMax = 1.5;
/** One press of + or − (and a tap on a map too small to touch) zooms by this much. */
export const zoomStep = 1.5;
/** Seats smaller than this on screen are too small to tap reliably (WCAG 2.2, 2.5.8). */
export const touchTargetMinPx = 24;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** The scale at which the widest row fits the frame's width (never larger than 1). */
export function fitScale(frame: MapFrame): number {
  if (frame.contentWidth <= 0 || frame.areaWidth <= 0) return 1;
  return Math.min(1, frame.areaWidth / frame.contentWidth);
}

export function maxScale(frame: MapFrame): number {
  return Math.max(fitScale(frame), zoomMax);
}

/**
 * The frame's height at a scale: as tall as the map at that scale, up to `maxHeight` (but never
 * shorter than the whole map at its fitting scale), so zooming in shows more rows before the map
 * has to be moved up and down.
 */
export function frameHeight(frame: MapFrame, scale: number): number {
  const fitted = frame.contentHeight * fitScale(frame);
  return Math.min(frame.contentHeight * scale, Math.max(fitted, frame.maxHeight));
}

/**
 * The nearest view that keeps the map in its frame: the scale within its limits; a map narrower
 * (or shorter) than the frame centred (or at the top); a larger one covering the frame.
 */
export function clampView(frame: MapFrame, view: MapView): MapView {
  const scale = clamp(view.scale, fitScale(frame), maxScale(frame));
  const width = frame.contentWidth * scale;
  const height = frame.contentHeight * scale;
  const visibleHeight = frameHeight(frame, scale);
  const x =
    width <= frame.areaWidth
      ? (frame.areaWidth - width) / 2
      : clamp(view.x, frame.areaWidth - width, 0);
  const y = height <= visibleHeight ? 0 : clamp(view.y, visibleHeight - height, 0);
  return { scale, x, y };
}

/** The whole map, as it starts. */
export function fittedView(frame: MapFrame): MapView {
  return clampView(frame, { scale: fitScale(frame), x: 0, y: 0 });
}

/** Zooms to `scale` keeping the map's point under `at` (frame coordinates) where it is. */
export function zoomAround(
  frame: MapFrame,
  view: MapView,
  scale: number,
  at: { x: number; y: number },
): MapView {
  const next = clamp(scale, fitScale(frame), maxScale(frame));
  const ratio = next / view.scale;
  return clampView(frame, {
    scale: next,
    x: at.x - (at.x - view.x) * ratio,
    y: at.y - (at.y - view.y) * ratio,
  });
}

/**
 * A two-finger pinch: the map's point under the fingers' first midpoint follows their midpoint,
 * scaled by how much further apart the fingers are than when they touched down.
 */
export function pinchView(
  frame: MapFrame,
  start: MapView,
  from: { distance: number; x: number; y: number },
  to: { distance: number; x: number; y: number },
): MapView {
  if (from.distance <= 0) return start;
  const scale = clamp(
    (start.scale * to.distance) / from.distance,
    fitScale(frame),
    maxScale(frame),
  );
  const ratio = scale / start.scale;
  return clampView(frame, {
    scale,
    x: to.x - (from.x - start.x) * ratio,
    y: to.y - (from.y - start.y) * ratio,
  });
}

/** True when the map is at its fitting scale (nothing to zoom out of). */
export function isFitted(frame: MapFrame, view: MapView): boolean {
  return view.scale <= fitScale(frame) + 1e-3;
}

/** True when some of the map is outside the frame, so one finger moves the map, not the page. */
export function canPan(frame: MapFrame, view: MapView): boolean {
  return (
    frame.contentWidth * view.scale > frame.areaWidth + 0.5 ||
    frame.contentHeight * view.scale > frameHeight(frame, view.scale) + 0.5
  );
}

/**
 * The view moved just enough to show a box (a focused seat, in frame coordinates) with a margin,
 * or the same view when it is already in sight.
 */
export function revealBox(
  frame: MapFrame,
  view: MapView,
  box: { left: number; top: number; right: number; bottom: number },
  marginPx = 8,
): MapView {
  const height = frameHeight(frame, view.scale);
  let dx = 0;
  if (box.left < marginPx) dx = marginPx - box.left;
  else if (box.right > frame.areaWidth - marginPx) dx = frame.areaWidth - marginPx - box.right;
  let dy = 0;
  if (box.top < marginPx) dy = marginPx - box.top;
  else if (box.bottom > height - marginPx) dy = height - marginPx - box.bottom;
  if (dx === 0 && dy === 0) return view;
  return clampView(frame, { scale: view.scale, x: view.x + dx, y: view.y + dy });
}
