/**
 * The terminal's small sums: how far it is from the venue (unit 414), and amounts typed at the
 * gate or shown to it in a stored-value ticket's asset, exact in its smallest unit (bigint).
 */

/** Great-circle distance in metres (haversine), for the venue radius (unit 414). */
export function distanceM(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const radians = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = radians(b.latitude - a.latitude);
  const dLon = radians(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(radians(a.latitude)) * Math.cos(radians(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A decimal typed at the gate ("4.5") in the smallest unit of a scale; null if it is not one. */
export function parseUnits(text: string, scale: number): bigint | null {
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > scale) return null;
  return (
    BigInt(match[1] as string) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0')
  );
}

export function formatUnits(units: bigint, scale: number): string {
  if (scale === 0) return units.toString();
  const text = units.toString().padStart(scale + 1, '0');
  const whole = text.slice(0, -scale);
  const fraction = text.slice(-scale).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}
