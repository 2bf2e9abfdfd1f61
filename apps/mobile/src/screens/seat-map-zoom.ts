/**
 * Pinch-zoom and pan for the seat map, by hand on pointer events and a CSS transform (no library:
 * the row labels must follow every frame of a gesture, a drag must never select a seat, and a tap
 * on seats too small to touch zooms in instead). Touch: two fingers pinch, one finger pans once
 * zoomed (before that the page scrolls as usual). Mouse and trackpad: drag to pan, Ctrl + wheel or
 * a trackpad pinch to zoom, the wheel pans a zoomed map. The + and − buttons call `zoomBy`.
 */
import {
  type MouseEvent as ReactMouseEvent,
  type PointerEvent as ReactPointerEvent,
  type RefObject,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import {
  canPan,
  clampView,
  fittedView,
  frameHeight,
  isFitted,
  type MapFrame,
  type MapView,
  maxScale,
  pinchView,
  revealBox,
  touchTargetMinPx,
  zoomAround,
  zoomMax,
} from './seat-map-view.ts';

/** A pointer that moves less than this is a tap, not a drag (a finger wobbles a few pixels). */
const tapSlopPx = 8;
/** The frame may grow to this part of the window's height when zoomed in. */
const frameHeightShare = 0.6;
/** A seat at scale 1 is this wide; a tap on a smaller one zooms so that it becomes this wide. */
export const seatPx = 32;
const tapZoomScale = Math.min(zoomMax, 40 / seatPx);

type Point = { x: number; y: number };
type Gesture =
  | { kind: 'pan'; start: Point; view: MapView; moved: boolean; touch: boolean }
  | { kind: 'pinch'; from: { distance: number; x: number; y: number }; view: MapView };

export function useMapZoom(
  frameRef: RefObject<HTMLElement | null>,
  areaRef: RefObject<HTMLDivElement | null>,
  content: { width: number; height: number },
) {
  const [size, setSize] = useState({ areaWidth: 0, maxHeight: 400 });
  // Undefined while the map is fitted to its frame, so it stays fitted when the frame resizes.
  const [chosen, setChosen] = useState<MapView>();
  const frame: MapFrame = {
    areaWidth: size.areaWidth,
    maxHeight: size.maxHeight,
    contentWidth: content.width,
    contentHeight: content.height,
  };
  const view = chosen ? clampView(frame, chosen) : fittedView(frame);
  const live = useRef({ frame, view });
  live.current = { frame, view };

  const show = useCallback((next: MapView) => {
    setChosen(isFitted(live.current.frame, next) ? undefined : next);
  }, []);

  useMeasure(areaRef, setSize);
  const gestures = usePointerGestures(areaRef, live, show);
  useWheelAndTrackpad(frameRef, areaRef, live, show, gestures.pointers);

  const zoomBy = (factor: number) => {
    const center = { x: frame.areaWidth / 2, y: frameHeight(frame, view.scale) / 2 };
    show(zoomAround(frame, view, view.scale * factor, center));
  };
  /** Brings a seat that got the keyboard's focus into sight. */
  const reveal = (element: Element) => {
    const area = areaRef.current;
    if (!area) return;
    const box = element.getBoundingClientRect();
    const origin = area.getBoundingClientRect();
    const next = revealBox(frame, view, {
      left: box.left - origin.left,
      right: box.right - origin.left,
      top: box.top - origin.top,
      bottom: box.bottom - origin.top,
    });
    if (next !== view) show(next);
  };

  return {
    view,
    height: frameHeight(frame, view.scale),
    fitted: isFitted(frame, view),
    atMax: view.scale >= maxScale(frame) - 1e-3,
    pannable: canPan(frame, view),
    /** Seats too small to tap: a touch zooms in instead of choosing. */
    tooSmallToTouch: seatPx * view.scale < touchTargetMinPx,
    zoomBy,
    fit: () => setChosen(undefined),
    reveal,
    handlers: gestures.handlers,
  };
}

/** The seats' area width (it follows the phone's rotation) and the window's height. */
function useMeasure(
  areaRef: RefObject<HTMLDivElement | null>,
  setSize: (size: { areaWidth: number; maxHeight: number }) => void,
) {
  useLayoutEffect(() => {
    const area = areaRef.current;
    if (!area) return;
    const measure = () =>
      setSize({
        areaWidth: area.clientWidth,
        maxHeight: Math.round(window.innerHeight * frameHeightShare),
      });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(area);
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, [areaRef, setSize]);
}

type Live = RefObject<{ frame: MapFrame; view: MapView }>;

/** One finger or the mouse pans, two fingers pinch; a click after a drag or a pinch is swallowed. */
function usePointerGestures(
  areaRef: RefObject<HTMLDivElement | null>,
  live: Live,
  show: (view: MapView) => void,
) {
  const pointers = useRef(new Map<number, Point>());
  const gesture = useRef<Gesture>(undefined);
  const swallowClick = useRef(false);

  const at = (event: { clientX: number; clientY: number }): Point => {
    const origin = areaRef.current?.getBoundingClientRect();
    return { x: event.clientX - (origin?.left ?? 0), y: event.clientY - (origin?.top ?? 0) };
  };
  const pinchFrom = () => {
    const [a, b] = [...pointers.current.values()] as [Point, Point];
    return { distance: Math.hypot(a.x - b.x, a.y - b.y), x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  };
  const panFrom = (point: Point, touch: boolean, moved: boolean): Gesture => ({
    kind: 'pan',
    start: point,
    view: live.current.view,
    moved,
    touch,
  });

  const onPointerDown = (event: ReactPointerEvent<HTMLElement>) => {
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    const point = at(event);
    pointers.current.set(event.pointerId, point);
    if (pointers.current.size === 1) {
      swallowClick.current = false;
      gesture.current = panFrom(point, event.pointerType === 'touch', false);
    } else if (pointers.current.size === 2) {
      swallowClick.current = true;
      gesture.current = { kind: 'pinch', from: pinchFrom(), view: live.current.view };
      for (const id of pointers.current.keys()) capture(event.currentTarget, id);
    }
  };

  const onPointerMove = (event: ReactPointerEvent<HTMLElement>) => {
    if (!pointers.current.has(event.pointerId)) return;
    const point = at(event);
    pointers.current.set(event.pointerId, point);
    const current = gesture.current;
    if (current?.kind === 'pinch' && pointers.current.size >= 2) {
      show(pinchView(live.current.frame, current.view, current.from, pinchFrom()));
    } else if (current?.kind === 'pan') {
      const dx = point.x - current.start.x;
      const dy = point.y - current.start.y;
      if (!current.moved && Math.hypot(dx, dy) < tapSlopPx) return;
      if (!current.moved) {
        current.moved = true;
        swallowClick.current = true;
        capture(event.currentTarget, event.pointerId);
      }
      const { scale, x, y } = current.view;
      show(clampView(live.current.frame, { scale, x: x + dx, y: y + dy }));
    }
  };

  const onPointerUp = (event: ReactPointerEvent<HTMLElement>) => {
    const current = gesture.current;
    if (current?.kind === 'pan' && !current.moved && current.touch) {
      // Seats too small for a finger: this tap zooms in where it landed, and chooses nothing.
      const { frame, view } = live.current;
      if (seatPx * view.scale < touchTargetMinPx) {
        swallowClick.current = true;
        show(zoomAround(frame, view, tapZoomScale, at(event)));
      }
    }
    end(event);
  };

  const end = (event: ReactPointerEvent<HTMLElement>) => {
    pointers.current.delete(event.pointerId);
    const [rest] = [...pointers.current.entries()];
    // A pinch that loses one finger goes on as a pan with the other, never as a tap.
    gesture.current = rest ? panFrom(rest[1], true, true) : undefined;
  };

  const onClickCapture = (event: ReactMouseEvent<HTMLElement>) => {
    // event.detail is 0 for a click from the keyboard, which is never part of a gesture.
    if (swallowClick.current && event.detail > 0) {
      event.preventDefault();
      event.stopPropagation();
    }
    swallowClick.current = false;
  };

  return {
    pointers,
    handlers: {
      onPointerDown,
      onPointerMove,
      onPointerUp,
      onPointerCancel: end,
      onClickCapture,
    },
  };
}

function capture(element: Element, pointerId: number) {
  try {
    element.setPointerCapture(pointerId);
  } catch {
    // The pointer is already gone (lifted between the events): nothing to capture.
  }
}

/**
 * Ctrl + wheel (which is also how a trackpad pinch arrives) zooms at the cursor; a plain wheel
 * pans a zoomed map, and scrolls the page once the map can go no further that way. Safari's
 * trackpad pinch arrives as gesture events. Two fingers on a fitted map pinch it rather than the
 * page. These listeners are the DOM's own, because React's wheel and touch ones are passive.
 */
function useWheelAndTrackpad(
  frameRef: RefObject<HTMLElement | null>,
  areaRef: RefObject<HTMLDivElement | null>,
  live: Live,
  show: (view: MapView) => void,
  pointers: RefObject<Map<number, Point>>,
) {
  useEffect(() => {
    const element = frameRef.current;
    if (!element) return;
    const at = (event: { clientX: number; clientY: number }) => {
      const origin = areaRef.current?.getBoundingClientRect();
      return { x: event.clientX - (origin?.left ?? 0), y: event.clientY - (origin?.top ?? 0) };
    };
    const onWheel = (event: WheelEvent) => {
      const { frame, view } = live.current;
      const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        show(
          zoomAround(frame, view, view.scale * Math.exp(-event.deltaY * unit * 0.002), at(event)),
        );
        return;
      }
      const moved = clampView(frame, {
        scale: view.scale,
        x: view.x - event.deltaX * unit,
        y: view.y - event.deltaY * unit,
      });
      if (Math.abs(moved.x - view.x) + Math.abs(moved.y - view.y) < 0.5) return;
      event.preventDefault();
      show(moved);
    };
    let gestureStart: MapView | undefined;
    type SafariGesture = Event & { scale: number; clientX: number; clientY: number };
    const onGestureStart = (event: Event) => {
      event.preventDefault();
      gestureStart = pointers.current.size > 0 ? undefined : live.current.view;
    };
    const onGestureChange = (event: Event) => {
      event.preventDefault();
      // On a touch screen the pointers already pinch; only a trackpad's gesture is handled here.
      if (!gestureStart || pointers.current.size > 0) return;
      const gestureEvent = event as SafariGesture;
      const { frame } = live.current;
      show(
        zoomAround(frame, gestureStart, gestureStart.scale * gestureEvent.scale, at(gestureEvent)),
      );
    };
    const onTouchMove = (event: TouchEvent) => {
      if (event.touches.length > 1 && event.cancelable) event.preventDefault();
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    element.addEventListener('gesturestart', onGestureStart);
    element.addEventListener('gesturechange', onGestureChange);
    element.addEventListener('touchmove', onTouchMove, { passive: false });
    return () => {
      element.removeEventListener('wheel', onWheel);
      element.removeEventListener('gesturestart', onGestureStart);
      element.removeEventListener('gesturechange', onGestureChange);
      element.removeEventListener('touchmove', onTouchMove);
    };
  }, [frameRef, areaRef, live, show, pointers]);
}
