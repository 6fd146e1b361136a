/**
 * A seeded, deterministic generator of realistic Snowplow enriched-event lines (131
 * TAB-separated fields, the formats Snowplow Enrich writes), for tests and benchmarks.
 *
 * Good lines are canonical: numbers as `String(number)` writes them, booleans `1`/`0`,
 * timestamps `YYYY-MM-DD hh:mm:ss.SSS`, self-describing JSON as `JSON.stringify` writes it
 * (compact, no integer-like keys, no integers beyond 2^53). So for every good line
 * `toTsv(parse(line)) === line`.
 *
 * With `badRate`, a fraction of lines carries exactly one labelled defect. Good lines do not
 * depend on `badRate`: line `i` is the same event whether or not some other line is bad.
 *
 * @module
 */

import { ENRICHED_EVENT_FIELDS, type EnrichedEventFieldName } from "../../src/event/fields.ts";

// ---------------------------------------------------------------------------------------------
// Seeded PRNG
// ---------------------------------------------------------------------------------------------

/** A small seeded pseudo-random generator (mulberry32) with the helpers the generator needs. */
export class Prng {
  #state: number;

  /** Any finite number is a seed; equal seeds give equal sequences. */
  constructor(seed: number) {
    this.#state = mixSeed(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** `k` distinct elements of `items`, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    for (let i = 0; i < k && pool.length > 0; i++) {
      out.push(pool.splice(this.below(pool.length), 1)[0]);
    }
    return out;
  }

  /** `n` lower-case hex digits. */
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += HEX[this.below(16)];
    return s;
  }

  /** A random RFC 4122 version-4 UUID. */
  uuid4(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[this.below(4)]}${
      h.slice(17, 20)
    }-${h.slice(20, 32)}`;
  }
}

const HEX = "0123456789abcdef";

function mixSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`Seed must be a finite number, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(hi ^ 0xc2b2ae35, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h | 0;
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

type Field = EnrichedEventFieldName;

const FIELD_COUNT = 131;
const IDX: Readonly<Record<string, number>> = Object.fromEntries(
  ENRICHED_EVENT_FIELDS.map((f) => [f.name, f.index]),
);

function fieldsOfKind(kind: string): Field[] {
  return ENRICHED_EVENT_FIELDS.filter((f) => f.kind === kind).map((f) => f.name);
}

const INT_FIELDS = fieldsOfKind("int");
const TSTAMP_FIELDS = fieldsOfKind("tstamp");
const BOOL_FIELDS = fieldsOfKind("bool");
const SD_FIELDS: readonly Field[] = ["contexts", "unstruct_event", "derived_contexts"];

const CONTEXTS_SCHEMA = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0";
const DERIVED_CONTEXTS_SCHEMA = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1";
const UNSTRUCT_SCHEMA = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0";

/** One event as its 131 field texts, set by name. */
class Row {
  readonly values: string[] = new Array(FIELD_COUNT).fill("");
  set(name: Field, value: string): void {
    this.values[IDX[name]] = value;
  }
  get(name: Field): string {
    return this.values[IDX[name]];
  }
  line(): string {
    return this.values.join("\t");
  }
}

// ---------------------------------------------------------------------------------------------
// Canonical value writers
// ---------------------------------------------------------------------------------------------

/** Milliseconds since the epoch as Enrich writes a timestamp: `YYYY-MM-DD hh:mm:ss.SSS`. */
function tstamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace("T", " ");
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `x` rounded to `digits` decimals, as the nearest double (so `String()` prints it short). */
function round(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

function num(x: number): string {
  return String(x);
}

interface SelfDescribing {
  schema: string;
  data: unknown;
}

function sd(schema: string, data: unknown): SelfDescribing {
  return { schema, data };
}

function contextsJson(entities: SelfDescribing[], envelope = CONTEXTS_SCHEMA): string {
  return JSON.stringify({ schema: envelope, data: entities });
}

function unstructJson(schema: string, data: unknown): string {
  return JSON.stringify({ schema: UNSTRUCT_SCHEMA, data: { schema, data } });
}

// ---------------------------------------------------------------------------------------------
// Static pools (realistic values, mixed scripts)
// ---------------------------------------------------------------------------------------------

interface Geo {
  country: string;
  region: string;
  city: string;
  zip: string;
  lat: number;
  lon: number;
  regionName: string;
  timezone: string;
}

function geo(
  country: string,
  region: string,
  city: string,
  zip: string,
  lat: number,
  lon: number,
  regionName: string,
  timezone: string,
): Geo {
  return { country, region, city, zip, lat, lon, regionName, timezone };
}

const GEOS: readonly Geo[] = [
  geo("GB", "ENG", "London", "EC1A", 51.5074, -0.1278, "England", "Europe/London"),
  geo("GB", "SCT", "Edinburgh", "EH1", 55.9533, -3.1883, "Scotland", "Europe/London"),
  geo("US", "NY", "New York", "10001", 40.7128, -74.006, "New York", "America/New_York"),
  geo(
    "US",
    "CA",
    "San Francisco",
    "94109",
    37.7749,
    -122.4194,
    "California",
    "America/Los_Angeles",
  ),
  geo("DE", "BY", "München", "80331", 48.1351, 11.582, "Bayern", "Europe/Berlin"),
  geo("FR", "IDF", "Paris", "75001", 48.8566, 2.3522, "Île-de-France", "Europe/Paris"),
  geo("BR", "SP", "São Paulo", "01000-000", -23.5505, -46.6333, "São Paulo", "America/Sao_Paulo"),
  geo("JP", "13", "東京", "100-0001", 35.6762, 139.6503, "東京都", "Asia/Tokyo"),
  geo("IN", "MH", "Mumbai", "400001", 19.076, 72.8777, "Maharashtra", "Asia/Kolkata"),
  geo("AU", "NSW", "Sydney", "2000", -33.8688, 151.2093, "New South Wales", "Australia/Sydney"),
  geo("PL", "14", "Kraków", "30-001", 50.0647, 19.945, "Małopolskie", "Europe/Warsaw"),
  geo("EG", "C", "القاهرة", "11511", 30.0444, 31.2357, "محافظة القاهرة", "Africa/Cairo"),
  geo("RU", "MOW", "Москва", "101000", 55.7558, 37.6173, "Москва", "Europe/Moscow"),
  geo("EC", "P", "Quito", "170150", -0.1807, -78.4678, "Pichincha", "America/Guayaquil"),
  geo("GH", "AA", "Accra", "", 5.6037, -0.187, "Greater Accra", "Africa/Accra"),
];

interface WebAgent {
  ua: string;
  family: string;
  version: string;
  osFamily: string;
  osName: string;
  manufacturer: string;
  deviceType: string;
  mobile: boolean;
}

function agent(
  ua: string,
  family: string,
  version: string,
  osFamily: string,
  osName: string,
  manufacturer: string,
  deviceType: string,
  mobile: boolean,
): WebAgent {
  return { ua, family, version, osFamily, osName, manufacturer, deviceType, mobile };
}

const WEB_AGENTS: readonly WebAgent[] = [
  agent(
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Chrome",
    "124.0.0.0",
    "Windows",
    "Windows 10",
    "Microsoft Corporation",
    "Computer",
    false,
  ),
  agent(
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Safari",
    "17.4.1",
    "Mac OS X",
    "Mac OS X",
    "Apple Inc.",
    "Computer",
    false,
  ),
  agent(
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Firefox",
    "125.0",
    "Linux",
    "Linux",
    "Other",
    "Computer",
    false,
  ),
  agent(
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    "Mobile Safari",
    "17.4.1",
    "iOS",
    "iOS 17",
    "Apple Inc.",
    "Mobile",
    true,
  ),
  agent(
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Chrome Mobile",
    "124.0.6367.82",
    "Android",
    "Android 14",
    "Google Inc.",
    "Mobile",
    true,
  ),
  agent(
    'Mozilla/5.0 (compatible; "AcmeBot"/2.1; +https://www.acme-shop.com/bot)',
    "Robot/Spider",
    "2.1",
    "Other",
    "Other",
    "Other",
    "Unknown",
    false,
  ),
];

interface MobileAgent {
  ua: string;
  os: "android" | "ios";
  osVersion: string;
  manufacturer: string;
  model: string;
}

const MOBILE_AGENTS: readonly MobileAgent[] = [
  {
    ua: "Dalvik/2.1.0 (Linux; U; Android 13; SM-S911B Build/TP1A.220624.014)",
    os: "android",
    osVersion: "13",
    manufacturer: "Samsung",
    model: "SM-S911B",
  },
  {
    ua: "AcmeShop/5.2.0 (iPhone; iOS 17.4.1; Scale/3.00)",
    os: "ios",
    osVersion: "17.4.1",
    manufacturer: "Apple Inc.",
    model: "iPhone15,2",
  },
];

const SCREENS_DESKTOP: readonly [number, number][] = [
  [1920, 1080],
  [2560, 1440],
  [1440, 900],
  [1366, 768],
  [3440, 1440],
];
const SCREENS_MOBILE: readonly [number, number][] = [
  [390, 844],
  [393, 873],
  [412, 915],
  [375, 667],
  [820, 1180],
];
const LANGS = ["en-GB", "en-US", "de-DE", "fr-FR", "pt-BR", "ja-JP", "ar-EG", "ru-RU", "pl-PL"];

const HOST = "www.acme-shop.com";
const PAGES: readonly [string, string][] = [
  ["/", "Acme Shop — Home"],
  ["/products/shoes", "Running shoes | Acme Shop"],
  ["/products/shoes/trail-runner-3000", 'Trail Runner 3000 "Gore-Tex" – Acme Shop'],
  ["/products/jackets/rain-shell", "Rain Shell Jacket | Acme Shop"],
  ["/blog/2024/05/how-to-choose", "How to choose running shoes 👟🏃‍♀️ | Acme Blog"],
  ["/cart", "Your cart (3)"],
  ["/checkout/payment", "Checkout: payment"],
  ["/search", "Search results"],
  ["/de/produkte/schuhe", "Laufschuhe für Damen & Herren | Acme Shop"],
  ["/ja/products/shoes", "ランニングシューズ | Acme Shop"],
  ["/ar/products/shoes", "أحذية الجري | متجر أكمي"],
  ["/ru/products/shoes", "Кроссовки для бега — Acme"],
  ["/fr/produits/chaussures", "Chaussures de course à pied — déjà vu ✓"],
];

interface Referrer {
  url: string;
  medium: string;
  source: string;
  term: string;
}

const REFERRERS: readonly Referrer[] = [
  { url: "https://www.google.com/", medium: "search", source: "Google", term: "" },
  {
    url: "https://www.bing.com/search?q=trail+running+shoes&form=QBLH",
    medium: "search",
    source: "Bing",
    term: "trail running shoes",
  },
  { url: "https://www.facebook.com/", medium: "social", source: "Facebook", term: "" },
  { url: "https://t.co/aBcD1234", medium: "social", source: "Twitter", term: "" },
  { url: "https://news.ycombinator.com/item?id=40123456", medium: "unknown", source: "", term: "" },
  {
    url: "https://yandex.ru/search/?text=кроссовки",
    medium: "search",
    source: "Yandex",
    term: "кроссовки",
  },
];

interface Campaign {
  source: string;
  medium: string;
  term: string;
  content: string;
  campaign: string;
  clickId: string;
  network: string;
}

const CAMPAIGNS: readonly Campaign[] = [
  {
    source: "google",
    medium: "cpc",
    term: "running shoes",
    content: "ad_variant_b",
    campaign: "spring_sale_2024",
    clickId: "Cj0KCQjw_gclid123",
    network: "Google",
  },
  {
    source: "newsletter",
    medium: "email",
    term: "",
    content: "header_banner",
    campaign: "may_newsletter",
    clickId: "",
    network: "",
  },
  {
    source: "facebook",
    medium: "paid_social",
    term: "",
    content: "carousel_1",
    campaign: "été_teaser",
    clickId: "IwAR0fbclid987",
    network: "Facebook",
  },
];

const SEARCH_TERMS = [
  "trail shoes",
  "rain jacket",
  "socks",
  "gore-tex",
  "Schuhe",
  "靴",
  'size "10"',
];

interface Product {
  sku: string;
  name: string;
  category: string;
  price: number;
}

const PRODUCTS: readonly Product[] = [
  { sku: "SKU-1001", name: "Trail Runner 3000", category: "Shoes", price: 129.99 },
  { sku: "SKU-1002", name: "Road Racer Lite", category: "Shoes", price: 99.5 },
  { sku: "SKU-2001", name: "Rain Shell Jacket", category: "Jackets", price: 179 },
  { sku: "SKU-3001", name: "Merino Socks (3-pack)", category: "Accessories", price: 24.95 },
  { sku: "SKU-3002", name: "Laufkappe „Sprint“", category: "Zubehör", price: 19 },
];
const CURRENCIES: readonly [string, number][] = [["GBP", 1], ["USD", 0.79], ["EUR", 0.86]];
const STRUCT: readonly [string, string, string, string, string][] = [
  ["video", "play", "product-demo-trail-runner", "hero", "0"],
  ["video", "progress", "product-demo-trail-runner", "hero", "50"],
  ["newsletter", "subscribe", "footer", "", ""],
  ["filters", "apply", "size=10;colour=blue", "plp", "2"],
  ["carousel", "swipe", '"related" products', "pdp", "3.5"],
  ["chat", "open", "support-widget ✉", "", ""],
];
const APP_IDS_WEB = ["acme-web", "acme-web", "acme-web", "acme-blog"];

/** Valid timestamps on calendar edges (leap days, year ends, the epoch). */
const EDGE_TSTAMPS = [
  "2024-02-29 23:59:59.999",
  "2000-02-29 00:00:00.000",
  "1999-12-31 23:59:59.999",
  "1970-01-01 00:00:00.000",
  "2038-01-19 03:14:08.000",
];

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

interface User {
  platform: "web" | "mob" | "srv";
  appId: string;
  domainUserid: string;
  networkUserid: string;
  userId: string;
  ip: string;
  geo: Geo | null;
  lang: string;
  web: WebAgent | null;
  mobile: MobileAgent | null;
  screen: [number, number] | null;
  view: [number, number] | null;
  colordepth: string;
  features: string[] | null;
  deviceId: string;
  installId: string;
  sessionIndex: number;
  sessionId: string;
  sessionStart: number;
  lastMs: number | null;
  eventIndex: number;
}

const USER_POOL = 5000;

function makeUser(rng: Prng): User {
  const r = rng.next();
  const platform = r < 0.8 ? "web" : r < 0.95 ? "mob" : "srv";
  const ip = rng.chance(0.15)
    ? `2a02:c7f:${rng.hex(4)}:${rng.hex(4)}::${rng.hex(3)}`
    : `${rng.pick([2, 5, 31, 62, 81, 92, 151, 185, 203])}.${rng.below(256)}.${rng.below(256)}.${
      rng.int(1, 254)
    }`;
  const user: User = {
    platform,
    appId: "acme-backend",
    domainUserid: rng.uuid4(),
    networkUserid: rng.uuid4(),
    userId: rng.chance(0.3) ? `user${String(rng.below(1e7)).padStart(7, "0")}@example.com` : "",
    ip,
    geo: rng.chance(0.92) ? rng.pick(GEOS) : null,
    lang: rng.pick(LANGS),
    web: null,
    mobile: null,
    screen: null,
    view: null,
    colordepth: "",
    features: null,
    deviceId: "",
    installId: rng.uuid4(),
    sessionIndex: rng.int(1, 40),
    sessionId: rng.uuid4(),
    sessionStart: 0,
    lastMs: null,
    eventIndex: 0,
  };
  if (platform === "web") {
    const web = rng.pick(WEB_AGENTS);
    user.web = web;
    user.appId = rng.pick(APP_IDS_WEB);
    user.screen = rng.pick(web.mobile ? SCREENS_MOBILE : SCREENS_DESKTOP);
    user.view = [user.screen[0] - rng.pick([0, 0, 15, 17]), user.screen[1] - rng.int(60, 250)];
    user.colordepth = rng.pick(["24", "24", "30", "32"]);
    if (rng.chance(0.3)) user.features = Array.from({ length: 9 }, () => rng.pick(["0", "1"]));
  } else if (platform === "mob") {
    const mobile = rng.pick(MOBILE_AGENTS);
    user.mobile = mobile;
    user.appId = `acme-${mobile.os}`;
    user.screen = rng.pick(SCREENS_MOBILE);
    user.deviceId = rng.uuid4().toUpperCase();
  }
  return user;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

class EventMaker {
  readonly #rng: Prng;
  readonly #seed: number;
  readonly #users: (User | undefined)[] = new Array(USER_POOL);
  #clock: number;
  #etl: number;

  constructor(seed: number) {
    this.#seed = seed;
    this.#rng = new Prng(seed);
    // Start somewhere in 2019–2029 so that dates, leap years and year ends vary with the seed.
    this.#clock = Date.UTC(2019, 0, 1) + this.#rng.below(11 * 365) * 86_400_000 +
      this.#rng.below(86_400_000);
    this.#etl = this.#clock;
  }

  #user(): User {
    const i = Math.floor(USER_POOL * this.#rng.next() ** 2); // skewed: some heavy users
    return (this.#users[i] ??= makeUser(new Prng(this.#seed * 7919 + i + 1)));
  }

  event(): Row {
    const rng = this.#rng;
    const row = new Row();
    const u = this.#user();

    this.#clock += rng.int(0, 10);
    const coll = this.#clock;
    if (u.lastMs === null || coll - u.lastMs > 30 * 60 * 1000) {
      if (u.lastMs !== null) {
        u.sessionIndex += 1;
        u.sessionId = rng.uuid4();
      }
      u.sessionStart = coll;
      u.eventIndex = 0;
    }
    u.eventIndex += 1;
    u.lastMs = coll;
    const skew = rng.chance(0.95) ? rng.int(50, 2500) : rng.int(-86_400_000, 86_400_000);
    const created = coll - skew;
    const sent = created + rng.int(0, 40);
    this.#etl = Math.max(this.#etl, coll + rng.int(800, 4000));

    row.set("app_id", u.appId);
    row.set("platform", u.platform);
    row.set("etl_tstamp", tstamp(this.#etl));
    row.set("collector_tstamp", tstamp(coll));
    row.set("dvce_created_tstamp", rng.chance(0.01) ? rng.pick(EDGE_TSTAMPS) : tstamp(created));
    const eventId = rng.uuid4();
    row.set("event_id", eventId);
    row.set("v_collector", "ssc-3.2.0-kinesis");
    row.set("v_etl", "snowplow-enrich-kinesis-4.1.0");
    row.set("user_id", u.userId);
    row.set("user_ipaddress", u.ip);
    if (u.platform === "web") row.set("domain_userid", u.domainUserid);
    if (u.platform !== "srv") {
      row.set("domain_sessionidx", num(u.sessionIndex));
      row.set("domain_sessionid", u.sessionId);
    }
    row.set("network_userid", u.networkUserid);
    if (u.geo !== null) {
      const g = u.geo;
      row.set("geo_country", g.country);
      row.set("geo_region", g.region);
      row.set("geo_city", g.city);
      row.set("geo_zipcode", g.zip);
      row.set("geo_latitude", num(round(g.lat + rng.uniform(-0.05, 0.05), 4)));
      row.set("geo_longitude", num(round(g.lon + rng.uniform(-0.05, 0.05), 4)));
      row.set("geo_region_name", g.regionName);
      row.set("geo_timezone", g.timezone);
      if (rng.chance(0.1)) {
        row.set("ip_isp", "BT");
        row.set("ip_organization", "British Telecommunications PLC");
        row.set("ip_domain", "btcentralplus.com");
        row.set("ip_netspeed", "Cable/DSL");
      }
    } else if (rng.chance(0.1)) {
      // Null Island: a real coordinate pair of zeros.
      row.set("geo_latitude", "0");
      row.set("geo_longitude", "0");
    }
    row.set("dvce_sent_tstamp", tstamp(sent));
    row.set("derived_tstamp", tstamp(coll - (sent - created)));
    if (rng.chance(0.5)) row.set("event_fingerprint", rng.hex(32));
    if (rng.chance(0.05)) row.set("txn_id", num(rng.below(1_000_000))); // legacy field
    if (rng.chance(0.02)) row.set("etl_tags", '["geo","ua"]');

    if (u.platform === "web") this.#web(u, row, coll);
    else if (u.platform === "mob") this.#mobile(u, row);
    else this.#server(row, coll);
    return row;
  }

  #webContexts(u: User, pageViewId: string, evMs: number): SelfDescribing[] {
    const rng = this.#rng;
    const ctxs = [
      sd("iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0", { id: pageViewId }),
    ];
    if (rng.chance(0.7)) ctxs.push(this.#session(u, "COOKIE_1"));
    if (rng.chance(0.35)) {
      const base = evMs - rng.int(800, 5000);
      ctxs.push(sd("iglu:org.w3/PerformanceTiming/jsonschema/1-0-0", {
        navigationStart: base,
        unloadEventStart: 0,
        unloadEventEnd: 0,
        redirectStart: 0,
        redirectEnd: 0,
        fetchStart: base + 2,
        domainLookupStart: base + 5,
        domainLookupEnd: base + 21,
        connectStart: base + 21,
        connectEnd: base + 80,
        secureConnectionStart: base + 40,
        requestStart: base + 81,
        responseStart: base + 190,
        responseEnd: base + 230,
        domLoading: base + 240,
        domInteractive: base + 610,
        domContentLoadedEventStart: base + 611,
        domContentLoadedEventEnd: base + 640,
        domComplete: base + 790,
        loadEventStart: base + 791,
        loadEventEnd: base + 795,
      }));
    }
    if (rng.chance(0.3)) {
      ctxs.push(sd("iglu:com.google.analytics/cookies/jsonschema/1-0-0", {
        _ga: `GA1.2.${rng.below(2 ** 30)}.${rng.below(2 ** 30)}`,
      }));
    }
    if (rng.chance(0.4)) {
      ctxs.push(sd("iglu:com.acme/user_consent/jsonschema/1-0-1", {
        analytics: true,
        marketing: rng.chance(0.5),
        version: "2024-03",
        regions: ["EU", "UK"],
      }));
    }
    if (u.userId !== "" && rng.chance(0.8)) {
      ctxs.push(sd("iglu:com.acme/customer/jsonschema/1-2-0", {
        customerId: u.userId.split("@")[0],
        tier: rng.pick(["gold", "silver", "bronze"]),
        lifetimeValue: round(rng.uniform(0, 5000), 2),
        marketingOptIn: rng.chance(0.4),
      }));
    }
    if (rng.chance(0.05)) {
      // A second context of the same schema, other revision: shares one shredded array.
      ctxs.push(sd("iglu:com.acme/user_consent/jsonschema/1-1-0", {
        analytics: false,
        note: "Zustimmung widerrufen ✗",
      }));
    }
    if (rng.chance(0.05)) {
      ctxs.push(
        sd("iglu:com.google.analytics.enhanced-ecommerce/productFieldObject/jsonschema/1-0-0", {
          id: rng.pick(PRODUCTS).sku,
          name: rng.pick(PRODUCTS).name,
          price: rng.pick(PRODUCTS).price,
          quantity: rng.int(1, 3),
        }),
      );
    }
    return ctxs;
  }

  #session(u: User, storage: string): SelfDescribing {
    return sd("iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2", {
      userId: u.platform === "mob" ? u.installId : u.domainUserid,
      sessionId: u.sessionId,
      sessionIndex: u.sessionIndex,
      eventIndex: u.eventIndex,
      previousSessionId: null,
      storageMechanism: storage,
      firstEventId: null,
      firstEventTimestamp: iso(u.sessionStart),
    });
  }

  #mobileContexts(u: User): SelfDescribing[] {
    const rng = this.#rng;
    const m = u.mobile as MobileAgent;
    const mobileContext: Record<string, unknown> = {
      osType: m.os,
      osVersion: m.osVersion,
      deviceManufacturer: m.manufacturer,
      deviceModel: m.model,
      carrier: rng.pick(["EE", "Vodafone", "T-Mobile", "МТС", null]),
      networkType: rng.pick(["wifi", "mobile"]),
      networkTechnology: "LTE",
      batteryLevel: rng.int(3, 100),
      batteryState: rng.pick(["charging", "unplugged"]),
      lowPowerMode: false,
      availableStorage: rng.below(2 ** 34),
      totalStorage: 128000000000,
    };
    mobileContext[m.os === "ios" ? "appleIdfv" : "androidIdfa"] = u.deviceId;
    const ctxs = [
      sd("iglu:com.snowplowanalytics.snowplow/mobile_context/jsonschema/1-0-3", mobileContext),
      this.#session(u, "SQLITE"),
      sd("iglu:com.snowplowanalytics.mobile/application/jsonschema/1-0-0", {
        version: "5.2.0",
        build: "5200",
      }),
    ];
    if (rng.chance(0.8)) {
      ctxs.push(sd("iglu:com.snowplowanalytics.mobile/screen/jsonschema/1-0-0", {
        name: rng.pick(["Home", "ProductList", "ProductDetail", "Cart", "Checkout"]),
        type: m.os === "ios" ? "ViewController" : "Activity",
        id: rng.uuid4(),
        activity: m.os === "android" ? "MainActivity" : null,
      }));
    }
    return ctxs;
  }

  #derivedContexts(u: User): SelfDescribing[] {
    const rng = this.#rng;
    const ctxs: SelfDescribing[] = [];
    const ua = u.web;
    if (ua !== null) {
      const major = ua.version.split(".")[0];
      ctxs.push(sd("iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0", {
        useragentFamily: ua.family,
        useragentMajor: major,
        useragentMinor: "0",
        useragentPatch: null,
        useragentVersion: `${ua.family} ${ua.version}`,
        osFamily: ua.osFamily,
        osMajor: null,
        osMinor: null,
        osPatch: null,
        osPatchMinor: null,
        osVersion: ua.osName,
        deviceFamily: ua.ua.includes("iPhone") ? "iPhone" : "Other",
      }));
      if (rng.chance(0.6)) {
        ctxs.push(sd("iglu:nl.basjes/yauaa_context/jsonschema/1-0-4", {
          deviceClass: ua.mobile ? "Phone" : "Desktop",
          deviceName: "Unknown",
          operatingSystemClass: ua.mobile ? "Mobile" : "Desktop",
          operatingSystemName: ua.osFamily,
          operatingSystemVersion: "??",
          layoutEngineClass: "Browser",
          agentClass: "Browser",
          agentName: ua.family,
          agentVersion: ua.version,
          agentVersionMajor: major,
          agentNameVersionMajor: `${ua.family} ${major}`,
        }));
      }
      ctxs.push(sd("iglu:com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0", {
        spiderOrRobot: ua.family === "Robot/Spider",
        category: ua.family === "Robot/Spider" ? "SPIDER_OR_ROBOT" : "BROWSER",
        reason: "PASSED_ALL",
        primaryImpact: "NONE",
      }));
    }
    if (rng.chance(0.25)) {
      ctxs.push(sd("iglu:com.acme/enriched_geo/jsonschema/1-0-0", {
        continent: "EU",
        inEU: true,
        asn: rng.int(1000, 65000),
      }));
    }
    if (rng.chance(0.03)) {
      // The same schema as a context already sent by the tracker: must be merged, not lost.
      ctxs.push(
        sd("iglu:com.acme/user_consent/jsonschema/1-0-2", { analytics: true, derived: true }),
      );
    }
    return ctxs;
  }

  #setUnstruct(row: Row, schema: string, data: unknown): void {
    row.set("unstruct_event", unstructJson(schema, data));
    const [vendor, name, format, version] = schema.slice(5).split("/");
    row.set("event_vendor", vendor);
    row.set("event_name", name);
    row.set("event_format", format);
    row.set("event_version", version);
  }

  #web(u: User, row: Row, coll: number): void {
    const rng = this.#rng;
    const ua = u.web as WebAgent;
    const [view, screen] = [u.view as [number, number], u.screen as [number, number]];
    row.set("name_tracker", "sp");
    row.set("v_tracker", "js-3.23.0");
    const [path, title] = rng.pick(PAGES);
    let query = "";
    let camp: Campaign | null = null;
    if (rng.chance(0.2)) {
      camp = rng.pick(CAMPAIGNS);
      query = `utm_source=${camp.source}&utm_medium=${camp.medium}&utm_campaign=${
        encodeURIComponent(camp.campaign)
      }`;
      if (camp.term !== "") query += `&utm_term=${camp.term.replaceAll(" ", "+")}`;
      if (camp.content !== "") query += `&utm_content=${camp.content}`;
      if (camp.clickId !== "") {
        query += `${camp.network === "Google" ? "&gclid=" : "&fbclid="}${camp.clickId}`;
      }
    } else if (path === "/search") {
      query = `q=${encodeURIComponent(rng.pick(SEARCH_TERMS))}&page=${rng.int(1, 3)}`;
    }
    const fragment = rng.chance(0.05) ? "reviews" : "";
    const url = `https://${HOST}${path}${query ? `?${query}` : ""}${
      fragment ? `#${fragment}` : ""
    }`;
    row.set("page_url", url);
    row.set("page_title", title);
    row.set("page_urlscheme", "https");
    row.set("page_urlhost", HOST);
    row.set("page_urlport", "443");
    row.set("page_urlpath", path);
    row.set("page_urlquery", query);
    row.set("page_urlfragment", fragment);
    const r = rng.next();
    if (r < 0.45) {
      const [refPath] = rng.pick(PAGES);
      row.set("page_referrer", `https://${HOST}${refPath}`);
      row.set("refr_urlscheme", "https");
      row.set("refr_urlhost", HOST);
      row.set("refr_urlport", "443");
      row.set("refr_urlpath", refPath);
      row.set("refr_medium", "internal");
    } else if (r < 0.75) {
      const ref = rng.pick(REFERRERS);
      const u2 = new URL(ref.url);
      row.set("page_referrer", ref.url);
      row.set("refr_urlscheme", "https");
      row.set("refr_urlhost", u2.hostname);
      row.set("refr_urlport", "443");
      row.set("refr_urlpath", u2.pathname);
      row.set("refr_urlquery", u2.search.slice(1));
      row.set("refr_medium", ref.medium);
      row.set("refr_source", ref.source);
      row.set("refr_term", ref.term);
    }
    if (camp !== null) {
      row.set("mkt_medium", camp.medium);
      row.set("mkt_source", camp.source);
      row.set("mkt_term", camp.term);
      row.set("mkt_content", camp.content);
      row.set("mkt_campaign", camp.campaign);
      row.set("mkt_clickid", camp.clickId);
      row.set("mkt_network", camp.network);
    }
    row.set("useragent", ua.ua);
    if (rng.chance(0.25)) { // legacy user-agent-utils enrichment columns
      const major = ua.version.split(".")[0];
      row.set("br_name", `${ua.family} ${major}`);
      row.set("br_family", ua.family);
      row.set("br_version", major);
      row.set("br_type", ua.mobile ? "Browser (mobile)" : "Browser");
      row.set("br_renderengine", ua.ua.includes("WebKit") ? "WEBKIT" : "GECKO");
      row.set("os_name", ua.osName);
      row.set("os_family", ua.osFamily);
      row.set("os_manufacturer", ua.manufacturer);
      row.set("dvce_type", ua.deviceType);
      row.set("dvce_ismobile", ua.mobile ? "1" : "0");
    }
    row.set("br_lang", u.lang);
    if (u.features !== null) {
      const start = IDX["br_features_pdf"];
      u.features.forEach((f, i) => (row.values[start + i] = f));
    } else if (rng.chance(0.8)) {
      row.set("br_features_pdf", "1");
    }
    row.set("br_cookies", rng.chance(0.97) ? "1" : "0");
    row.set("br_colordepth", u.colordepth);
    row.set("br_viewwidth", num(view[0]));
    row.set("br_viewheight", num(view[1]));
    row.set("os_timezone", u.geo?.timezone ?? "Europe/London");
    row.set("dvce_screenwidth", num(screen[0]));
    row.set("dvce_screenheight", num(screen[1]));
    row.set("doc_charset", "UTF-8");
    row.set("doc_width", num(view[0]));
    row.set("doc_height", num(rng.int(view[1], 9000)));

    const pageViewId = rng.uuid4();
    const e = rng.next();
    let event: string;
    if (e < 0.3) {
      event = "page_view";
      row.set("event_name", "page_view");
    } else if (e < 0.62) {
      event = "page_ping";
      row.set("event_name", "page_ping");
      const xmin = rng.int(0, 20);
      const ymin = rng.chance(0.02) ? -rng.int(1, 40) : rng.int(0, 4000); // overscroll: negative
      row.set("pp_xoffset_min", num(xmin));
      row.set("pp_xoffset_max", num(xmin + rng.pick([0, 0, 0, 15])));
      row.set("pp_yoffset_min", num(ymin));
      row.set("pp_yoffset_max", num(ymin + rng.int(0, 3000)));
    } else if (e < 0.72) {
      event = "struct";
      row.set("event_name", "event");
      const [category, action, label, property, value] = rng.pick(STRUCT);
      row.set("se_category", category);
      row.set("se_action", action);
      row.set("se_label", label);
      row.set("se_property", property);
      row.set("se_value", value);
    } else if (e < 0.955) {
      event = "unstruct";
      const [schema, data] = this.#webUnstruct();
      this.#setUnstruct(row, schema, data);
    } else if (e < 0.97) {
      event = "transaction";
      row.set("event_name", "transaction");
      const [currency, rate] = rng.pick(CURRENCIES);
      let total = 0;
      for (let i = rng.int(1, 3); i > 0; i--) total += rng.pick(PRODUCTS).price;
      total = round(total, 2);
      const tax = round(total * 0.2, 2);
      const shipping = rng.pick([0, 4.99, 9.99]);
      const g = u.geo ?? GEOS[0];
      row.set("tr_orderid", `ORD-${String(rng.below(1e8)).padStart(8, "0")}`);
      row.set("tr_affiliation", rng.pick(["web-store", "partner-store", ""]));
      row.set("tr_total", num(total));
      row.set("tr_tax", num(tax));
      row.set("tr_shipping", num(shipping));
      row.set("tr_city", g.city);
      row.set("tr_state", g.regionName);
      row.set("tr_country", g.country);
      row.set("tr_currency", currency);
      row.set("tr_total_base", num(round(total * rate, 2)));
      row.set("tr_tax_base", num(round(tax * rate, 2)));
      row.set("tr_shipping_base", num(round(shipping * rate, 2)));
      row.set("base_currency", "GBP");
    } else {
      event = "transaction_item";
      row.set("event_name", "transaction_item");
      const [currency, rate] = rng.pick(CURRENCIES);
      const p = rng.pick(PRODUCTS);
      row.set("ti_orderid", `ORD-${String(rng.below(1e8)).padStart(8, "0")}`);
      row.set("ti_sku", p.sku);
      row.set("ti_name", p.name);
      row.set("ti_category", p.category);
      row.set("ti_price", num(p.price));
      row.set("ti_quantity", num(rng.pick([1, 1, 1, 2, 3])));
      row.set("ti_currency", currency);
      row.set("ti_price_base", num(round(p.price * rate, 2)));
      row.set("base_currency", "GBP");
    }
    row.set("event", event);
    if (event !== "unstruct") {
      row.set("event_vendor", "com.snowplowanalytics.snowplow");
      row.set("event_format", "jsonschema");
      row.set("event_version", "1-0-0");
    }
    row.set("contexts", contextsJson(this.#webContexts(u, pageViewId, coll)));
    const derived = this.#derivedContexts(u);
    if (derived.length > 0) {
      row.set("derived_contexts", contextsJson(derived, DERIVED_CONTEXTS_SCHEMA));
    }
    if (event === "page_view" && rng.chance(0.02)) {
      row.set("refr_domain_userid", rng.uuid4());
      row.set("refr_dvce_tstamp", tstamp(coll - rng.int(1000, 60000)));
    }
  }

  #webUnstruct(): [string, unknown] {
    const rng = this.#rng;
    const r = rng.next();
    if (r < 0.3) {
      return ["iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1", {
        targetUrl: rng.pick([
          "https://www.acme-shop.com/products/shoes",
          "https://twitter.com/acme",
          "https://help.acme-shop.com/returns?lang=en&q=%22size%22",
        ]),
        elementId: rng.pick(["nav-shoes", "footer-twitter", ""]),
        elementClasses: rng.pick([["btn", "btn-primary"], ["footer-link"], []]),
        elementTarget: "_self",
      }];
    }
    if (r < 0.45) {
      return ["iglu:com.snowplowanalytics.snowplow/submit_form/jsonschema/1-0-0", {
        formId: "newsletter-signup",
        formClasses: ["form", "inline"],
        elements: [
          { name: "email", value: null, nodeName: "INPUT", type: "email" },
          { name: "comment", value: 'Line one\nLine "two"\tC:\\temp ✓', nodeName: "TEXTAREA" },
          { name: "consent", value: "true", nodeName: "INPUT", type: "checkbox" },
        ],
      }];
    }
    if (r < 0.65) {
      const p = rng.pick(PRODUCTS);
      return ["iglu:com.snowplowanalytics.snowplow/add_to_cart/jsonschema/1-0-0", {
        sku: p.sku,
        name: p.name,
        category: p.category,
        unitPrice: p.price,
        quantity: rng.pick([1, 1, 2]),
        currency: "GBP",
      }];
    }
    if (r < 0.75) {
      return ["iglu:com.snowplowanalytics.snowplow/site_search/jsonschema/1-0-0", {
        terms: rng.pick(SEARCH_TERMS).split(" "),
        filters: { category: "shoes", inStock: true },
        totalResults: rng.int(0, 250),
        pageResults: 24,
      }];
    }
    if (r < 0.9) {
      return ["iglu:com.acme/checkout_step/jsonschema/1-0-1", {
        step: rng.int(1, 4),
        option: rng.pick(["standard", "express", null]),
        basketValue: round(rng.uniform(10, 600), 2),
        discount: rng.chance(0.1) ? -round(rng.uniform(1, 20), 2) : 0,
        items: rng.int(1, 6),
        coupon: rng.pick([null, "SPRING10"]),
      }];
    }
    return ["iglu:com.acme/product_impression/jsonschema/2-0-0", {
      list: "related-products",
      position: rng.int(1, 12),
      products: rng.sample(PRODUCTS, 3).map((p) => ({ sku: p.sku, price: p.price, name: p.name })),
      meta: { nested: { deeper: [[1, 2], [3, [4, { five: 5 }]]] }, ratio: 1e-7, big: 1e21 },
    }];
  }

  #mobile(u: User, row: Row): void {
    const rng = this.#rng;
    const m = u.mobile as MobileAgent;
    const screen = u.screen as [number, number];
    row.set("name_tracker", m.os === "android" ? "androidTracker" : "iosTracker");
    row.set("v_tracker", m.os === "android" ? "andr-5.4.1" : "ios-5.4.1");
    row.set("useragent", m.ua);
    row.set("br_lang", u.lang);
    row.set("os_timezone", u.geo?.timezone ?? "Europe/London");
    row.set("dvce_screenwidth", num(screen[0]));
    row.set("dvce_screenheight", num(screen[1]));
    const r = rng.next();
    let schema: string | null = null;
    let data: unknown = null;
    if (r < 0.6) {
      schema = "iglu:com.snowplowanalytics.mobile/screen_view/jsonschema/1-0-0";
      data = {
        name: rng.pick(["Home", "ProductList", "ProductDetail", "Cart", "Checkout", "Корзина"]),
        type: m.os === "ios" ? "ViewController" : "Activity",
        id: rng.uuid4(),
        previousName: "Home",
        previousId: rng.uuid4(),
        transitionType: "push",
      };
    } else if (r < 0.7) {
      schema = "iglu:com.snowplowanalytics.mobile/application_lifecycle/jsonschema/1-0-0";
      data = { isVisible: rng.chance(0.5), index: rng.int(1, 20) };
    } else if (r < 0.72) {
      schema = "iglu:com.snowplowanalytics.mobile/application_install/jsonschema/1-0-0";
      data = {};
    } else if (r < 0.9) {
      const p = rng.pick(PRODUCTS);
      schema = "iglu:com.acme/add_to_basket/jsonschema/1-1-0";
      data = { sku: p.sku, price: p.price, quantity: 1, source: "app" };
    }
    if (schema !== null) {
      row.set("event", "unstruct");
      this.#setUnstruct(row, schema, data);
    } else {
      row.set("event", "struct");
      const [category, action, label, property, value] = rng.pick(STRUCT);
      row.set("se_category", category);
      row.set("se_action", action);
      row.set("se_label", label);
      row.set("se_property", property);
      row.set("se_value", value);
      row.set("event_vendor", "com.google.analytics");
      row.set("event_name", "event");
      row.set("event_format", "jsonschema");
      row.set("event_version", "1-0-0");
    }
    row.set("contexts", contextsJson(this.#mobileContexts(u)));
    const derived = this.#derivedContexts(u);
    if (derived.length > 0) {
      row.set("derived_contexts", contextsJson(derived, DERIVED_CONTEXTS_SCHEMA));
    }
    if (rng.chance(0.1)) row.set("true_tstamp", row.get("dvce_created_tstamp"));
  }

  #server(row: Row, coll: number): void {
    const rng = this.#rng;
    row.set("name_tracker", "srv");
    row.set("v_tracker", rng.pick(["py-1.0.1", "node-3.21.0", "java-1.0.1"]));
    row.set("useragent", rng.pick(["python-requests/2.31.0", "node-fetch/1.0", "Java/17.0.10"]));
    if (rng.chance(0.7)) {
      this.#setUnstruct(row, "iglu:com.acme/order_shipped/jsonschema/1-0-2", {
        orderId: `ORD-${String(rng.below(1e8)).padStart(8, "0")}`,
        carrier: rng.pick(["DHL", "UPS", "Royal Mail", "ヤマト運輸"]),
        items: rng.sample(PRODUCTS, rng.int(1, 3)).map((p) => ({ sku: p.sku, qty: 1 })),
        shippedAt: iso(coll),
        warehouse: "LHR-2",
      });
    } else {
      this.#setUnstruct(row, "iglu:com.acme/refund_issued/jsonschema/1-0-0", {
        orderId: `ORD-${String(rng.below(1e8)).padStart(8, "0")}`,
        amount: round(rng.uniform(5, 300), 2),
        currency: "GBP",
        reason: rng.pick(["damaged", "wrong size", "changed mind", "défectueux"]),
      });
    }
    row.set("event", "unstruct");
    if (rng.chance(0.5)) {
      row.set(
        "contexts",
        contextsJson([sd("iglu:com.acme/service/jsonschema/1-0-0", {
          name: "fulfilment-api",
          version: "2.14.3",
          region: "eu-west-1",
        })]),
      );
    } else if (rng.chance(0.1)) {
      row.set("contexts", contextsJson([])); // an empty list: no shredded key
    }
    row.set("true_tstamp", row.get("dvce_created_tstamp"));
  }
}

// ---------------------------------------------------------------------------------------------
// Defects
// ---------------------------------------------------------------------------------------------

/** The kinds of defect a bad line can carry (one per line). */
export type DefectKind =
  | "field_count"
  | "bad_tstamp"
  | "bad_int"
  | "bad_double"
  | "bad_bool"
  | "bad_json"
  | "bad_schema";

/** Every defect kind, in a fixed order. */
export const DEFECT_KINDS: readonly DefectKind[] = [
  "field_count",
  "bad_tstamp",
  "bad_int",
  "bad_double",
  "bad_bool",
  "bad_json",
  "bad_schema",
];

/** Invalid texts for an `int` field (each rejected by docs/contract.md §2). */
export const BAD_INTS: readonly string[] = [
  "1920px",
  "12.5",
  "NaN",
  "0x1F",
  "--3",
  " 3",
  "3 ",
  "1_000",
  "+",
  "-",
  "1e3",
  "Infinity",
  "inf",
  "9007199254740992",
  "-9007199254740992",
  "１２", // full-width digits
];

/** Invalid texts for a `double` field. */
export const BAD_DOUBLES: readonly string[] = [
  "51.50.1",
  "12,99",
  "abc",
  "1e",
  "NaN",
  "nan",
  "inf",
  "Infinity",
  "-inf",
  "1e999",
  "0x1F",
  " 3.5",
  "1_000.5",
  ".",
  "--1.5",
];

/** Invalid texts for a `bool` field. */
export const BAD_BOOLS: readonly string[] = ["true", "false", "2", "yes", "-1", "01", " 1", "1.0"];

/** Invalid texts for a `tstamp` field. */
export const BAD_TSTAMPS: readonly string[] = [
  "2024-13-45 25:61:99.000",
  "2024/05/01 10:00:00",
  "not a tstamp",
  "1714557600000",
  "2024-02-30 10:00:00",
  "2023-02-29 00:00:00",
  "2024-05-01 24:00:00",
  "2024-05-01 10:00",
  "2024-05-01 10:00:00.0123456789",
  "2024-05-01 10:00:00.",
  "2024-05-01T10:00:00.000Z",
  "2024-5-1 10:00:00",
  " 2024-05-01 10:00:00",
  "2024-04-31 12:00:00.000",
];

/** Schema URIs that are not valid Iglu URIs. */
export const BAD_IGLU_URIS: readonly string[] = [
  "com.acme/ctx/jsonschema/1.0.0",
  "iglu:com.acme/ctx/jsonschema/1-0",
  "iglu:com.acme/ctx/jsonschema/01-0-0",
  "iglu:com.acme/ctx/jsonschema/0-0-0",
  "iglu:com.acme/ctx/jsonschema/1-00-0",
  "iglu:com acme/ctx/jsonschema/1-0-0",
  "iglu:com.acme/ctx.v2/jsonschema/1-0-0",
  "iglu:com.acme/ctx/jsonschema/1-0-0/extra",
  "iglu:/ctx/jsonschema/1-0-0",
  "",
];

function corrupt(row: Row, rng: Prng): { line: string; label: DefectKind; field: string } {
  const label = rng.pick(DEFECT_KINDS);
  const v = row.values;
  switch (label) {
    case "field_count": {
      const r = rng.next();
      if (r < 0.4) {
        v.splice(rng.below(FIELD_COUNT), 1);
        return { line: v.join("\t"), label, field: "130_fields" };
      }
      if (r < 0.8) {
        v.splice(rng.below(FIELD_COUNT + 1), 0, "extra");
        return { line: v.join("\t"), label, field: "132_fields" };
      }
      // Cut somewhere strictly before the last 11 fields.
      const prefix = v.slice(0, 120).join("\t");
      return { line: prefix.slice(0, rng.int(1, prefix.length - 1)), label, field: "truncated" };
    }
    case "bad_tstamp": {
      const field = rng.pick(TSTAMP_FIELDS);
      row.set(field, rng.pick(BAD_TSTAMPS));
      return { line: row.line(), label, field };
    }
    case "bad_int": {
      const present = INT_FIELDS.filter((f) => row.get(f) !== "");
      const field = rng.pick(present.length > 0 ? present : INT_FIELDS);
      row.set(field, rng.pick(BAD_INTS));
      return { line: row.line(), label, field };
    }
    case "bad_double": {
      const field = rng.pick<Field>(["geo_latitude", "geo_longitude", "tr_total", "ti_price_base"]);
      row.set(field, rng.pick(BAD_DOUBLES));
      return { line: row.line(), label, field };
    }
    case "bad_bool": {
      const field = rng.pick(BOOL_FIELDS);
      row.set(field, rng.pick(BAD_BOOLS));
      return { line: row.line(), label, field };
    }
    case "bad_json": {
      const present = SD_FIELDS.filter((f) => row.get(f) !== "");
      const field = rng.pick(present.length > 0 ? present : SD_FIELDS);
      row.set(field, badJson(field, row.get(field), rng));
      return { line: row.line(), label, field };
    }
    case "bad_schema": {
      const field = rng.pick(SD_FIELDS);
      const schema = rng.pick(BAD_IGLU_URIS);
      row.set(
        field,
        field === "unstruct_event"
          ? JSON.stringify({ schema: UNSTRUCT_SCHEMA, data: { schema, data: { a: 1 } } })
          : contextsJson([
            sd("iglu:com.acme/good/jsonschema/1-0-0", { ok: true }),
            sd(schema, { a: 1 }),
          ]),
      );
      return { line: row.line(), label, field };
    }
  }
}

/** A text that is not valid for the self-describing column `field`: broken JSON or a wrong shape. */
function badJson(field: Field, current: string, rng: Prng): string {
  const text = current !== ""
    ? current
    : contextsJson([sd("iglu:com.acme/x/jsonschema/1-0-0", { a: 1 })]);
  const r = rng.next();
  if (r < 0.6) return text.slice(0, rng.int(1, text.length - 2)); // truncated
  const item = sd("iglu:com.acme/x/jsonschema/1-0-0", { a: 1 });
  const wrong = field === "unstruct_event"
    ? [
      "[]",
      "null",
      '"text"',
      "42",
      JSON.stringify({ schema: UNSTRUCT_SCHEMA }),
      JSON.stringify({ schema: UNSTRUCT_SCHEMA, data: [item] }),
      JSON.stringify({ schema: UNSTRUCT_SCHEMA, data: { data: { a: 1 } } }),
      JSON.stringify({ schema: UNSTRUCT_SCHEMA, data: { schema: 7, data: {} } }),
      "{'schema': 'iglu:com.acme/x/jsonschema/1-0-0'}",
      text + "}",
    ]
    : [
      "[]",
      "null",
      '"text"',
      "true",
      JSON.stringify({ schema: CONTEXTS_SCHEMA }),
      JSON.stringify({ schema: CONTEXTS_SCHEMA, data: item }),
      JSON.stringify({ schema: CONTEXTS_SCHEMA, data: [item, "x"] }),
      JSON.stringify({ schema: CONTEXTS_SCHEMA, data: [{ data: { a: 1 } }] }),
      JSON.stringify({ schema: CONTEXTS_SCHEMA, data: [null] }),
      "{'schema': 'iglu:com.acme/x/jsonschema/1-0-0'}",
      text + ",",
    ];
  return rng.pick(wrong);
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** What {@linkcode generateLines} makes. */
export interface GenerateOptions {
  /** Any finite number; equal options give equal lines. */
  seed: number;
  /** How many lines. */
  count: number;
  /**
   * The fraction of lines, in [0, 1], that carry one defect.
   * @default 0
   */
  badRate?: number;
}

/** One generated line and what it is. */
export interface GeneratedLine {
  /** The TSV line, without a line terminator. */
  line: string;
  /** `"ok"` for a valid, canonical line, else the kind of its one defect. */
  label: "ok" | DefectKind;
  /**
   * For a value defect, the name of the bad field; for `field_count`, `130_fields`,
   * `132_fields` or `truncated`. Absent for good lines.
   */
  field?: string;
  /** How many TAB-separated fields the line has (`line.split("\t").length`). */
  fieldCount: number;
}

/**
 * Makes `count` enriched-event lines from `seed`. The first `n` lines do not depend on `count`.
 */
export function* generateLines(options: GenerateOptions): Generator<GeneratedLine> {
  const { seed, count, badRate = 0 } = options;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  if (!(badRate >= 0 && badRate <= 1)) {
    throw new RangeError(`badRate must be in [0, 1], got ${badRate}`);
  }
  const maker = new EventMaker(seed);
  // A separate PRNG picks and makes the defects, so good lines do not depend on badRate.
  const badRng = new Prng(seed * 1000003 + 7);
  for (let i = 0; i < count; i++) {
    const row = maker.event();
    const bad = badRate > 0 && badRng.next() < badRate;
    if (!bad) {
      yield { line: row.line(), label: "ok", fieldCount: FIELD_COUNT };
      continue;
    }
    const { line, label, field } = corrupt(row, badRng);
    yield { line, label, field, fieldCount: line.split("\t").length };
  }
}

/** `count` valid, canonical lines from `seed`. */
export function generateCorpus(seed: number, count: number): string[] {
  return Array.from(generateLines({ seed, count }), (g) => g.line);
}

/** Writes `count` valid lines from `seed` to `path`, one per line with `\n`, for benchmarks. */
export async function writeCorpus(path: string, seed: number, count: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const writer = file.writable.getWriter();
  try {
    const encoder = new TextEncoder();
    let chunk: string[] = [];
    for (const { line } of generateLines({ seed, count })) {
      chunk.push(line);
      if (chunk.length === 2000) {
        await writer.write(encoder.encode(chunk.join("\n") + "\n"));
        chunk = [];
      }
    }
    if (chunk.length > 0) await writer.write(encoder.encode(chunk.join("\n") + "\n"));
  } finally {
    await writer.close();
  }
}

/**
 * The fields of the first line generated from `seed` that sets all three JSON columns and the
 * coordinates: a base that every kind of field is in, for tests that change one field.
 */
export function fieldsWithEveryKind(seed: number): string[] {
  for (const { line } of generateLines({ seed, count: 500 })) {
    const fields = line.split("\t");
    if (fields[52] !== "" && fields[58] !== "" && fields[122] !== "" && fields[22] !== "") {
      return fields;
    }
  }
  throw new Error(`No generated line of seed ${seed} sets every kind of field`);
}
