/**
 * What the terminal tells the server of itself on every call (issue 20 item 1), so staff see
 * each gate's device, app version and last GPS fix in the console, and a gate standing outside
 * the venue is flagged even when it scans nothing: `Tessera-App-Version` (this build's version,
 * from package.json through Vite's define), `Tessera-Device` (platform and browser, from
 * navigator.userAgentData where the browser has it, else the User-Agent) and, once the terminal
 * has a fix, `Tessera-Position: <lat>,<lng>,<accuracy m>,<fix time ms>` (the fix's time by the
 * server's clock, unit 412). The server checks each and ignores a bad one
 * (services/ticketing/src/terminals/details.ts); the limits here are the same.
 */

/** This build's version; `dev` where the app was not built by Vite (unit tests). */
export const appVersion: string =
  typeof __GATE_APP_VERSION__ === 'string' ? __GATE_APP_VERSION__ : 'dev';

export const deviceMaxLength = 120;

/** What Chromium-based browsers say through navigator.userAgentData (the part used here). */
export interface UserAgentData {
  readonly platform?: string;
  readonly mobile?: boolean;
  readonly brands?: readonly { readonly brand: string; readonly version: string }[];
}

export interface Fix {
  readonly latitude: number;
  readonly longitude: number;
  readonly accuracyM: number;
  /** When the fix was taken, by the server's clock (ms). */
  readonly at: number;
}

/** Printable ASCII, spaces folded, cut to the server's limit. */
function clean(text: string) {
  return text
    .replace(/[^\x20-\x7E]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, deviceMaxLength)
    .trim();
}

/** The browser's real brand: not the "Not A;Brand" filler nor the Chromium engine behind it. */
function brandOf(data: UserAgentData) {
  const brands = (data.brands ?? []).filter(
    (brand) => !/not.?a.?brand/i.test(brand.brand) && brand.brand.trim() !== '',
  );
  const named = brands.find((brand) => brand.brand !== 'Chromium') ?? brands[0];
  return named ? `${named.brand} ${named.version}` : '';
}

const platforms: readonly [RegExp, (match: RegExpExecArray) => string][] = [
  [/Android (\d+(?:\.\d+)?)/, (m) => `Android ${m[1]}`],
  [/(?:iPhone|iPad|iPod).* OS (\d+)[._](\d+)/, (m) => `iOS ${m[1]}.${m[2]}`],
  [/Windows NT/, () => 'Windows'],
  [/CrOS/, () => 'ChromeOS'],
  [/Mac OS X/, () => 'macOS'],
  [/Linux/, () => 'Linux'],
];

/** Newest engines first: Edge and Samsung Internet also say Chrome, Chrome also says Safari. */
const browsers: readonly [RegExp, string][] = [
  [/Edg(?:A|iOS)?\/(\d+)/, 'Edge'],
  [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+(?:\.\d+)?).*Safari/, 'Safari'],
];

function fromUserAgent(userAgent: string) {
  let platform = '';
  for (const [pattern, name] of platforms) {
    const match = pattern.exec(userAgent);
    if (match) {
      platform = name(match);
      break;
    }
  }
  let browser = '';
  for (const [pattern, name] of browsers) {
    const match = pattern.exec(userAgent);
    if (match) {
      browser = `${name} ${match[1]}`;
      break;
    }
  }
  return platform || browser ? `${platform} ${browser}` : userAgent;
}

/** A short description of the device: platform and browser, e.g. `Android Chrome 131`. */
export function deviceDescription(nav: {
  readonly userAgent?: string;
  readonly userAgentData?: UserAgentData;
}): string {
  const data = nav.userAgentData;
  const described = data?.platform
    ? `${data.platform}${data.mobile ? ' mobile' : ''} ${brandOf(data)}`
    : fromUserAgent(nav.userAgent ?? '');
  return clean(described) || 'unknown';
}

/** The fix as the header carries it: degrees to 7 places (1 cm), metres to 0.1. */
export function positionHeader(fix: Fix): string {
  const accuracy = Math.round(Math.min(100_000, Math.max(0, fix.accuracyM)) * 10) / 10;
  return `${fix.latitude.toFixed(7)},${fix.longitude.toFixed(7)},${accuracy},${Math.round(fix.at)}`;
}

/** The headers for one call: who the terminal is and, when it has one, its last fix. */
export function terminalHeaders(device: string, fix: Fix | null): Record<string, string> {
  return {
    'tessera-app-version': appVersion,
    'tessera-device': device,
    ...(fix ? { 'tessera-position': positionHeader(fix) } : {}),
  };
}
