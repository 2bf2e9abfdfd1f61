/**
 * Which addresses a webhook may connect to (SSRF defence). A merchant chooses the URL, so
 * without this it could aim the exchange at the exchange's own network: loopback admin ports,
 * the cloud metadata service at 169.254.169.254, databases on private ranges.
 *
 * Addresses are classified with ipaddr.js (a maintained library that knows the IANA
 * special-purpose registries) rather than hand-written prefix checks, which missed forms such
 * as `::ffff:7f00:1` (IPv4-mapped loopback written in hex, as `new URL` writes it), NAT64 and
 * 6to4. Only addresses ipaddr.js calls `unicast` pass, after `ipaddr.process` has turned
 * IPv4-mapped IPv6 into IPv4; the IPv6 forms that embed an IPv4 address (NAT64 64:ff9b::/96,
 * 6to4 2002::/16) pass only when the embedded address does; local-use NAT64 (64:ff9b:1::/48),
 * Teredo and the deprecated IPv4-compatible form (::/96) never do.
 *
 * This module only classifies. webhook-transport.ts applies it to the address each connection
 * is actually made to.
 */
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Ranges ipaddr.js counts as unicast that a webhook must not reach either. */
const extraRefusedV6: readonly [ipaddr.IPv6, number][] = [
  // IPv4-compatible IPv6 (deprecated, RFC 4291): ::7f00:1 means 127.0.0.1 to some stacks.
  [ipaddr.IPv6.parse('::'), 96],
  // Local-use NAT64 (RFC 8215): translated by the local network, never global.
  [ipaddr.IPv6.parse('64:ff9b:1::'), 48],
];

/** Why an address is not public (an ipaddr.js range name), or undefined when it is. */
export function nonPublicRange(address: Address): string | undefined {
  if (address.kind() === 'ipv4') {
    const range = address.range();
    return range === 'unicast' ? undefined : range;
  }
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return nonPublicRange(v6.toIPv4Address());
  for (const [prefix, bits] of extraRefusedV6) {
    if (v6.match(prefix, bits)) return bits === 96 ? 'ipv4Compatible' : 'localNat64';
  }
  const range = v6.range();
  const parts = v6.parts;
  if (range === 'rfc6052') {
    // NAT64 well-known prefix 64:ff9b::/96: the last 32 bits are the IPv4 destination.
    return nonPublicRange(ipv4Of(parts[6] as number, parts[7] as number));
  }
  if (range === '6to4') {
    // 2002:AABB:CCDD::/48 relays to the IPv4 address AA.BB.CC.DD.
    const embedded = nonPublicRange(ipv4Of(parts[1] as number, parts[2] as number));
    return embedded === undefined ? undefined : `6to4 of ${embedded}`;
  }
  return range === 'unicast' ? undefined : range;
}

function ipv4Of(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** One connection's verdict: allowed, or refused with a reason of ours. */
export type Verdict = { readonly allowed: true } | { readonly allowed: false; reason: string };

/**
 * The rule a deployment applies: by default only public addresses; `allowPrivate` (development
 * only, see config.ts) lets every address through; `allowedNetworks` names private networks a
 * receiver may be on (CIDRs, for example a test receiver on 127.0.0.1/32).
 */
export class AddressPolicy {
  private readonly networks: readonly [Address, number][];

  constructor(
    readonly options: {
      readonly allowPrivate?: boolean;
      readonly allowedNetworks?: readonly string[];
    } = {},
  ) {
    this.networks = (options.allowedNetworks ?? []).map((cidr) => ipaddr.parseCIDR(cidr));
  }

  /** The verdict on an IP address in any textual form ipaddr.js accepts. */
  check(text: string): Verdict {
    let address: Address;
    try {
      address = ipaddr.process(text);
    } catch {
      return { allowed: false, reason: 'refused: not an IP address' };
    }
    if (this.options.allowPrivate) return { allowed: true };
    const range = nonPublicRange(address);
    if (range === undefined) return { allowed: true };
    if (
      this.networks.some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits))
    )
      return { allowed: true };
    return {
      allowed: false,
      reason: `refused: ${address.toString()} is not a public address (${range})`,
    };
  }
}

/** Whether every entry is a CIDR ipaddr.js can parse (for configuration checks). */
export function invalidNetworks(cidrs: readonly string[]): string[] {
  return cidrs.filter((cidr) => {
    try {
      ipaddr.parseCIDR(cidr);
      return false;
    } catch {
      return true;
    }
  });
}
