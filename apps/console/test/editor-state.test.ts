/**
 * The seat-map editor's changes (src/venues/editor-state.ts): selecting, marking and deleting
 * seats touch only the blocks holding them, so the other blocks keep their computed seats.
 */
import { describe, expect, it } from 'vitest';
import { type EditorState, editorReducer, initialState } from '../src/venues/editor-state.ts';
import { allSeats, blockSeats, newGridBlock } from '../src/venues/seat-model.ts';

const twoBlocks = (): EditorState => {
  const floor = { ...newGridBlock('b1', 'Floor', []), rows: 2, seatsPerRow: 3 };
  const balcony = { ...newGridBlock('b2', 'Balcony', [floor]), rows: 1, seatsPerRow: 4 };
  return initialState([floor, balcony], []);
};

describe('the seat-map editor', () => {
  it('selects a seat, adds with shift, and takes a selected seat out again', () => {
    let state = editorReducer(twoBlocks(), { type: 'select', key: 'b1/A/1', additive: false });
    state = editorReducer(state, { type: 'select', key: 'b2/A/2', additive: true });
    expect([...state.selected]).toEqual(['b1/A/1', 'b2/A/2']);
    state = editorReducer(state, { type: 'select', key: 'b1/A/1', additive: true });
    expect([...state.selected]).toEqual(['b2/A/2']);
    state = editorReducer(state, { type: 'select', key: 'b1/B/3', additive: false });
    expect([...state.selected]).toEqual(['b1/B/3']);
  });

  it('selects a row, or one seat of it, from the row control', () => {
    const row = editorReducer(twoBlocks(), {
      type: 'selectRow',
      blockId: 'b1',
      row: 'B',
      additive: false,
    });
    expect([...row.selected]).toEqual(['b1/B/1', 'b1/B/2', 'b1/B/3']);
    const one = editorReducer(row, {
      type: 'selectRow',
      blockId: 'b1',
      row: 'A',
      number: '2',
      additive: false,
    });
    expect([...one.selected]).toEqual(['b1/A/2']);
  });

  it('marks and deletes the selected seats, replacing only their block', () => {
    const before = twoBlocks();
    let state = editorReducer(before, { type: 'select', key: 'b1/A/1', additive: false });
    state = editorReducer(state, { type: 'markAccessible', accessible: true });
    expect(
      allSeats(state.blocks)
        .filter((seat) => seat.accessible)
        .map((s) => s.key),
    ).toEqual(['b1/A/1']);
    expect(state.blocks[1]).toBe(before.blocks[1]);
    state = editorReducer(state, { type: 'select', key: 'b1/A/2', additive: false });
    state = editorReducer(state, { type: 'deleteSelected' });
    expect(allSeats(state.blocks)).toHaveLength(9);
    expect(state.selected.size).toBe(0);
    const [, balconyBefore] = before.blocks;
    const [, balconyAfter] = state.blocks;
    if (!balconyBefore || !balconyAfter) throw new Error('the balcony block is missing');
    expect(blockSeats(balconyAfter)).toBe(blockSeats(balconyBefore));
    state = editorReducer(state, { type: 'restoreBlock', id: 'b1' });
    expect(allSeats(state.blocks)).toHaveLength(10);
  });

  it('moves a block, and gives imported blocks fresh ids', () => {
    let state = editorReducer(twoBlocks(), { type: 'moveBlock', id: 'b2', dx: 2, dy: -1 });
    expect(state.blocks[1]).toMatchObject({ x: 2 });
    const ids = state.blocks.map((block) => block.id);
    state = editorReducer(state, { type: 'replace', blocks: state.blocks, areas: [] });
    expect(state.blocks.map((block) => block.id).some((id) => ids.includes(id))).toBe(false);
    expect(allSeats(state.blocks)).toHaveLength(10);
  });
});
