/**
 * Dragging a block on the map: press on one of its seats and move. The distance is measured in
 * map units with the drawing's transform taken when the press began, so the view rescaling as
 * the block moves (its viewBox follows the seats) does not make the block jump. Each step moves
 * the block by whole half-seats and replaces only that block, so only its seats are recomputed.
 * A press that does not move is a click, and selects the seat as before.
 */
import { type Dispatch, type PointerEvent, useCallback, useRef } from 'react';
import type { EditorAction } from './editor-state.ts';

/** Blocks snap to half a seat, so rows line up with their neighbours. */
const snap = 0.5;
/** Movement smaller than this many screen pixels is a click, not a drag. */
const dragThresholdPx = 4;

export function useBlockDrag(dispatch: Dispatch<EditorAction>) {
  /** Set when a drag ended, so the click that follows it does not change the selection. */
  const dragged = useRef(false);
  const onSeatPointerDown = useCallback(
    (key: string, event: PointerEvent<SVGSVGElement>) => {
      dragged.current = false;
      if (event.button !== 0 || event.shiftKey || event.ctrlKey || event.metaKey) return;
      const svg = event.currentTarget;
      const toMap = svg.getScreenCTM()?.inverse();
      if (!toMap) return;
      const blockId = key.slice(0, key.indexOf('/'));
      const start = { x: event.clientX, y: event.clientY };
      let moved = { x: 0, y: 0 };
      const mapPoint = (x: number, y: number) => new DOMPoint(x, y).matrixTransform(toMap);
      const origin = mapPoint(start.x, start.y);
      const move = (next: globalThis.PointerEvent) => {
        if (Math.hypot(next.clientX - start.x, next.clientY - start.y) < dragThresholdPx) return;
        dragged.current = true;
        const at = mapPoint(next.clientX, next.clientY);
        const want = {
          x: Math.round((at.x - origin.x) / snap) * snap,
          y: Math.round((at.y - origin.y) / snap) * snap,
        };
        if (want.x === moved.x && want.y === moved.y) return;
        dispatch({ type: 'moveBlock', id: blockId, dx: want.x - moved.x, dy: want.y - moved.y });
        moved = want;
      };
      const end = () => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', end);
        window.removeEventListener('pointercancel', end);
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', end);
      window.addEventListener('pointercancel', end);
    },
    [dispatch],
  );
  /** True once after a drag: the click that ends it is not a selection. */
  const consumeDrag = useCallback(() => {
    const was = dragged.current;
    dragged.current = false;
    return was;
  }, []);
  return { onSeatPointerDown, consumeDrag };
}
