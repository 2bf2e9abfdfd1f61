/** Distances for the venue's geofence, against figures worked out by hand. */
import { describe, expect, it } from 'vitest';
import { distanceM } from './geometry.ts';

describe('distanceM', () => {
  const venue = { latitude: 37.4786, longitude: 127.0115 };

  it('is zero at the venue and the same both ways', () => {
    expect(distanceM(venue, venue)).toBe(0);
    const north = { latitude: 37.4886, longitude: 127.0115 };
    expect(distanceM(venue, north)).toBeCloseTo(distanceM(north, venue), 9);
  });

  it('measures a hundredth of a degree of latitude as some 1,112 m, anywhere', () => {
    expect(distanceM(venue, { latitude: 37.4886, longitude: 127.0115 })).toBeCloseTo(1112, 0);
    expect(distanceM({ latitude: 0, longitude: 0 }, { latitude: 0.01, longitude: 0 })).toBeCloseTo(
      1112,
      0,
    );
  });

  it('shrinks a degree of longitude with the cosine of the latitude', () => {
    const east = distanceM(venue, { latitude: 37.4786, longitude: 127.0215 });
    expect(east / 1112).toBeCloseTo(Math.cos((37.4786 * Math.PI) / 180), 3);
  });
});
