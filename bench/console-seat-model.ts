/**
 * The console's seat-map editor model in Node (apps/console/src/venues/seat-model.ts), for the
 * console scenario (`npm run bench -- console`): how long a 1,000-seat block (25 rows × 40
 * seats, curved and staggered) takes to compute, to turn into the server's JSON and CSV, and
 * how long one edit of a map of ten such blocks takes when only the edited block is computed
 * again (the per-block cache the editor relies on to stay responsive). `measureSeatModel()` is
 * for the scenario to call; run alone, this file prints its result as one JSON line.
 */
import { fileURLToPath } from 'node:url';
import { toSeatMapCsv } from '../apps/console/src/venues/seat-files.ts';
import {
  allSeats,
  type Block,
  blockSeats,
  newGridBlock,
  toSeatMapJson,
} from '../apps/console/src/venues/seat-model.ts';
import { percentile } from './lib.ts';

const rounds = 200;
/** Rounds run first and not counted, so the JIT has compiled the model before it is timed. */
const warmupRounds = 50;
const blocksInMap = 10;

const thousandSeats = (id: string, y = 0): Block => ({
  ...newGridBlock(id, `Section ${id}`, [], { rows: 25, seatsPerRow: 40 }),
  y,
  curve: 3,
  stagger: 0.5,
});

function timeMs(run: () => unknown): number[] {
  for (let round = 0; round < warmupRounds; round += 1) run();
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return samples;
}

const summary = (samples: number[]) => ({
  p50_ms: Math.round(percentile(samples, 0.5) * 1_000) / 1_000,
  p95_ms: Math.round(percentile(samples, 0.95) * 1_000) / 1_000,
});

export function measureSeatModel() {
  // A new block object each round, so the cache never answers: the cost of computing it.
  const compute = timeMs(() => blockSeats({ ...thousandSeats('b1') }));
  const block = thousandSeats('b1');
  if (blockSeats(block).length !== 1_000) throw new Error('a 25 × 40 block must hold 1,000 seats');
  const json = timeMs(() => toSeatMapJson([block], []));
  const csv = timeMs(() => toSeatMapCsv(toSeatMapJson([block], [])));
  // Ten blocks drawn once; each round edits one of them, as a field change in the editor does.
  let map = Array.from({ length: blocksInMap }, (_, i) => thousandSeats(`b${i + 1}`, i * 40));
  allSeats(map);
  let round = 0;
  const edit = timeMs(() => {
    const index = round % blocksInMap;
    round += 1;
    map = map.map((candidate, i) =>
      i === index ? { ...candidate, x: candidate.x + 1 } : candidate,
    );
    return allSeats(map).length;
  });
  return {
    seats_per_block: 1_000,
    block_compute: summary(compute),
    to_json: summary(json),
    to_csv: summary(csv),
    edit_one_of_ten_blocks: { seats: blocksInMap * 1_000, ...summary(edit) },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify({ scenario: 'console-seat-model', ...measureSeatModel() }));
}
