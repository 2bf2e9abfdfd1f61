/**
 * A venue's stored seat map as an event's plan reads it: seats by their `Section/Row/Number`
 * reference and back, each section's seats in map order, areas by name and by id. Pure: built
 * from the rows the repository reads.
 */
import type { AreasTable, SeatsTable, VenuesTable } from '../db/schema.ts';
import { seatReference } from './seat-map.ts';

/** What a layout needs of a seat. */
export type LayoutSeat = Pick<SeatsTable, 'id' | 'section' | 'row_label' | 'number'>;

export interface Layout {
  venue: VenuesTable;
  seatByReference: Map<string, string>;
  referenceOf: Map<string, string>;
  seatsBySection: Map<string, string[]>;
  areaByName: Map<string, AreasTable>;
  areaById: Map<string, AreasTable>;
}

/** The layout of a venue from its seats (in map order) and its areas. */
export function layoutOf(
  venue: VenuesTable,
  seats: readonly LayoutSeat[],
  areas: readonly AreasTable[],
): Layout {
  const layout: Layout = {
    venue,
    seatByReference: new Map(),
    referenceOf: new Map(),
    seatsBySection: new Map(),
    areaByName: new Map(areas.map((area) => [area.name, area])),
    areaById: new Map(areas.map((area) => [area.id, area])),
  };
  for (const seat of seats) {
    const reference = seatReference({
      section: seat.section,
      row: seat.row_label,
      number: seat.number,
    });
    layout.seatByReference.set(reference, seat.id);
    layout.referenceOf.set(seat.id, reference);
    let section = layout.seatsBySection.get(seat.section);
    if (!section) {
      section = [];
      layout.seatsBySection.set(seat.section, section);
    }
    section.push(seat.id);
  }
  return layout;
}
