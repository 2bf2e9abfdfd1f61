/**
 * The seat-map editor's state and every change to it, as a reducer (pure): the blocks, the
 * standing areas and the selected seats. A change replaces only the blocks it touches, so the
 * per-block seat cache (seat-model.ts) keeps every other block's seats.
 */
import {
  type Block,
  blockSeats,
  type GridBlock,
  newGridBlock,
  type StandingArea,
} from './seat-model.ts';

export interface EditorState {
  blocks: readonly Block[];
  areas: readonly StandingArea[];
  /** Seat keys (`blockId/row/number`). */
  selected: ReadonlySet<string>;
  /** For new block and area ids, which must stay unique in the editor. */
  nextId: number;
}

export type EditorAction =
  | { type: 'replace'; blocks: readonly Block[]; areas: readonly StandingArea[] }
  | { type: 'addBlock'; section: string }
  | { type: 'updateBlock'; id: string; patch: Partial<Omit<GridBlock, 'id' | 'kind'>> }
  | { type: 'moveBlock'; id: string; dx: number; dy: number }
  | { type: 'removeBlock'; id: string }
  | { type: 'restoreBlock'; id: string }
  | { type: 'select'; key: string; additive: boolean }
  | { type: 'selectRow'; blockId: string; row: string; number?: string; additive: boolean }
  | { type: 'clearSelection' }
  | { type: 'markAccessible'; accessible: boolean }
  | { type: 'deleteSelected' }
  | { type: 'addArea'; name: string; capacity: number }
  | { type: 'updateArea'; id: string; patch: Partial<Omit<StandingArea, 'id'>> }
  | { type: 'removeArea'; id: string };

export function initialState(blocks: readonly Block[], areas: readonly StandingArea[]) {
  return { blocks, areas, selected: new Set<string>(), nextId: blocks.length + areas.length + 1 };
}

/** `blockId/row/number` → the block and the seat's reference in it. */
function splitKey(key: string): { blockId: string; reference: string } {
  const slash = key.indexOf('/');
  return { blockId: key.slice(0, slash), reference: key.slice(slash + 1) };
}

function referencesByBlock(selected: ReadonlySet<string>): Map<string, string[]> {
  const byBlock = new Map<string, string[]>();
  for (const key of selected) {
    const { blockId, reference } = splitKey(key);
    byBlock.set(blockId, [...(byBlock.get(blockId) ?? []), reference]);
  }
  return byBlock;
}

const withBlock = (
  state: EditorState,
  id: string,
  change: (block: Block) => Block,
): EditorState => ({
  ...state,
  blocks: state.blocks.map((block) => (block.id === id ? change(block) : block)),
});

/** Only the blocks holding a selected seat are replaced. */
function changeSelectedSeats(
  state: EditorState,
  change: (block: Block, references: readonly string[]) => Block,
): EditorState {
  const byBlock = referencesByBlock(state.selected);
  return {
    ...state,
    blocks: state.blocks.map((block) => {
      const references = byBlock.get(block.id);
      return references ? change(block, references) : block;
    }),
  };
}

function selectRow(state: EditorState, action: Extract<EditorAction, { type: 'selectRow' }>) {
  const block = state.blocks.find((candidate) => candidate.id === action.blockId);
  if (!block) return state;
  const keys = blockSeats(block)
    .filter((seat) => seat.row === action.row && (!action.number || seat.number === action.number))
    .map((seat) => seat.key);
  const selected = new Set(action.additive ? state.selected : []);
  for (const key of keys) selected.add(key);
  return { ...state, selected };
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'replace': {
      // Fresh ids, so no form of a block or area replaced keeps its fields for a new one.
      let next = state.nextId;
      const blocks = action.blocks.map((block) => ({ ...block, id: `b${next++}` }));
      const areas = action.areas.map((area) => ({ ...area, id: `a${next++}` }));
      return { blocks, areas, selected: new Set(), nextId: next };
    }
    case 'addBlock': {
      const block = newGridBlock(`b${state.nextId}`, action.section, state.blocks);
      return { ...state, blocks: [...state.blocks, block], nextId: state.nextId + 1 };
    }
    case 'updateBlock':
      return withBlock(state, action.id, (block) =>
        block.kind === 'grid'
          ? { ...block, ...action.patch }
          : {
              ...block,
              ...(action.patch.section === undefined ? {} : { section: action.patch.section }),
              ...(action.patch.x === undefined ? {} : { x: action.patch.x }),
              ...(action.patch.y === undefined ? {} : { y: action.patch.y }),
            },
      );
    case 'moveBlock':
      return withBlock(state, action.id, (block) => ({
        ...block,
        x: block.x + action.dx,
        y: block.y + action.dy,
      }));
    case 'removeBlock':
      return {
        ...state,
        blocks: state.blocks.filter((block) => block.id !== action.id),
        selected: new Set([...state.selected].filter((key) => !key.startsWith(`${action.id}/`))),
      };
    case 'restoreBlock':
      return withBlock(state, action.id, (block) => ({ ...block, removed: [] }));
    case 'select': {
      const selected = new Set(action.additive ? state.selected : []);
      if (action.additive && state.selected.has(action.key)) selected.delete(action.key);
      else selected.add(action.key);
      return { ...state, selected };
    }
    case 'selectRow':
      return selectRow(state, action);
    case 'clearSelection':
      return { ...state, selected: new Set() };
    case 'markAccessible':
      return changeSelectedSeats(state, (block, references) => {
        const chosen = new Set(references);
        const rest = block.accessible.filter((reference) => !chosen.has(reference));
        return { ...block, accessible: action.accessible ? [...rest, ...references] : rest };
      });
    case 'deleteSelected':
      return {
        ...changeSelectedSeats(state, (block, references) => {
          const chosen = new Set(references);
          return {
            ...block,
            removed: [...block.removed, ...references],
            accessible: block.accessible.filter((reference) => !chosen.has(reference)),
          };
        }),
        selected: new Set(),
      };
    case 'addArea':
      return {
        ...state,
        areas: [
          ...state.areas,
          { id: `a${state.nextId}`, name: action.name, capacity: action.capacity },
        ],
        nextId: state.nextId + 1,
      };
    case 'updateArea':
      return {
        ...state,
        areas: state.areas.map((area) =>
          area.id === action.id ? { ...area, ...action.patch } : area,
        ),
      };
    case 'removeArea':
      return { ...state, areas: state.areas.filter((area) => area.id !== action.id) };
  }
}
