/**
 * Units of measure: a small table of the units that appear in answers (length, area, volume, mass, time,
 * speed, money), each with an exact factor to SI and a dimension vector. A unit expression such as
 * "cm^2", "m/s", "km per hour" or "square feet" is parsed into one factor and one dimension.
 *
 * Why not mathjs units: loading mathjs costs about 0.9 s per worker thread (measured on Node 20), which
 * would eat half of the default 2 s deadline of the first check on every fresh worker; and it lacks
 * answer words such as "mph", "dollars" or "cents". The table is exact (factors are decimal strings, so
 * conversions stay rational) and loads in microseconds.
 */
import { div, fromDecimal, mul, ONE, powInt, type Rat } from "./rational.js";

/** Dimension exponents: length, mass, time, money. */
export type Dims = readonly [number, number, number, number];

export interface UnitValue {
  factor: Rat;
  dims: Dims;
}

const L: Dims = [1, 0, 0, 0];
const M: Dims = [0, 1, 0, 0];
const T: Dims = [0, 0, 1, 0];
const $: Dims = [0, 0, 0, 1];
const VOL: Dims = [3, 0, 0, 0];

const TABLE: [string[], string, Dims][] = [
  [["m", "meter", "meters", "metre", "metres"], "1", L],
  [["cm", "centimeter", "centimeters", "centimetre", "centimetres"], "0.01", L],
  [["mm", "millimeter", "millimeters", "millimetre", "millimetres"], "0.001", L],
  [["km", "kilometer", "kilometers", "kilometre", "kilometres"], "1000", L],
  [["dm", "decimeter", "decimeters"], "0.1", L],
  [["um", "micrometer", "micrometers", "micron", "microns"], "0.000001", L],
  [["nm", "nanometer", "nanometers"], "0.000000001", L],
  [["in", "inch", "inches"], "0.0254", L],
  [["ft", "foot", "feet"], "0.3048", L],
  [["yd", "yard", "yards"], "0.9144", L],
  [["mi", "mile", "miles"], "1609.344", L],
  [["g", "gram", "grams", "gramme", "grammes"], "0.001", M],
  [["kg", "kilogram", "kilograms", "kilo", "kilos"], "1", M],
  [["mg", "milligram", "milligrams"], "0.000001", M],
  [["t", "tonne", "tonnes"], "1000", M],
  [["lb", "lbs", "pound", "pounds"], "0.45359237", M],
  [["oz", "ounce", "ounces"], "0.028349523125", M],
  [["s", "sec", "secs", "second", "seconds"], "1", T],
  [["ms", "millisecond", "milliseconds"], "0.001", T],
  [["min", "mins", "minute", "minutes"], "60", T],
  [["h", "hr", "hrs", "hour", "hours"], "3600", T],
  [["day", "days"], "86400", T],
  [["week", "weeks", "wk", "wks"], "604800", T],
  [["L", "l", "liter", "liters", "litre", "litres"], "0.001", VOL],
  [["mL", "ml", "milliliter", "milliliters", "millilitre", "millilitres", "cc"], "0.000001", VOL],
  [["gal", "gallon", "gallons"], "0.003785411784", VOL],
  [["qt", "quart", "quarts"], "0.000946352946", VOL],
  [["pt", "pint", "pints"], "0.000473176473", VOL],
  [["cup", "cups"], "0.0002365882365", VOL],
  [["dollar", "dollars", "usd", "USD"], "1", $],
  [["cent", "cents"], "0.01", $],
  [["mph"], "0.44704", [1, 0, -1, 0]],
  [["kph", "kmh"], "0.27777777777777777777777777777778", [1, 0, -1, 0]],
  // SI derived units and their US / practical relatives (force, energy, power, pressure, frequency).
  [["N", "newton", "newtons"], "1", [1, 1, -2, 0]],
  [["kN", "kilonewton", "kilonewtons"], "1000", [1, 1, -2, 0]],
  [["mN"], "0.001", [1, 1, -2, 0]],
  [["lbf"], "4.4482216152605", [1, 1, -2, 0]],
  [["dyn", "dyne", "dynes"], "0.00001", [1, 1, -2, 0]],
  [["J", "joule", "joules"], "1", [2, 1, -2, 0]],
  [["kJ", "kilojoule", "kilojoules"], "1000", [2, 1, -2, 0]],
  [["MJ", "megajoule", "megajoules"], "1000000", [2, 1, -2, 0]],
  [["eV", "electronvolt", "electronvolts"], "0.0000000000000000001602176634", [2, 1, -2, 0]],
  [["keV"], "0.0000000000000001602176634", [2, 1, -2, 0]],
  [["MeV"], "0.0000000000001602176634", [2, 1, -2, 0]],
  [["cal", "calorie", "calories"], "4.184", [2, 1, -2, 0]],
  [["kcal", "kilocalorie", "kilocalories", "Cal"], "4184", [2, 1, -2, 0]],
  [["Wh"], "3600", [2, 1, -2, 0]],
  [["kWh"], "3600000", [2, 1, -2, 0]],
  [["BTU", "Btu"], "1055.05585262", [2, 1, -2, 0]],
  [["erg", "ergs"], "0.0000001", [2, 1, -2, 0]],
  [["W", "watt", "watts"], "1", [2, 1, -3, 0]],
  [["kW", "kilowatt", "kilowatts"], "1000", [2, 1, -3, 0]],
  [["MW", "megawatt", "megawatts"], "1000000", [2, 1, -3, 0]],
  [["hp", "horsepower"], "745.69987158227022", [2, 1, -3, 0]],
  [["Pa", "pascal", "pascals"], "1", [-1, 1, -2, 0]],
  [["hPa"], "100", [-1, 1, -2, 0]],
  [["kPa"], "1000", [-1, 1, -2, 0]],
  [["MPa"], "1000000", [-1, 1, -2, 0]],
  [["GPa"], "1000000000", [-1, 1, -2, 0]],
  [["bar", "bars"], "100000", [-1, 1, -2, 0]],
  [["atm", "atmosphere", "atmospheres"], "101325", [-1, 1, -2, 0]],
  [["psi"], "6894.757293168361", [-1, 1, -2, 0]],
  [["Hz", "hertz"], "1", [0, 0, -1, 0]],
  [["kHz"], "1000", [0, 0, -1, 0]],
  [["MHz"], "1000000", [0, 0, -1, 0]],
  [["GHz"], "1000000000", [0, 0, -1, 0]],
];

const BY_NAME = new Map<string, UnitValue>();
for (const [names, f, dims] of TABLE) {
  const factor = fromDecimal(f)!;
  for (const n of names) BY_NAME.set(n, { factor, dims });
}
// km/h exactly 5/18 m/s; a torr exactly 101325/760 Pa.
// mmHg as textbooks use it (760 mmHg = 1 atm), not the conventional 133.322387415 Pa.
for (const t of ["torr", "Torr", "mmHg"])
  BY_NAME.set(t, { factor: { n: 101325n, d: 760n }, dims: [-1, 1, -2, 0] });
BY_NAME.set("kph", { factor: { n: 5n, d: 18n }, dims: [1, 0, -1, 0] });
BY_NAME.set("kmh", { factor: { n: 5n, d: 18n }, dims: [1, 0, -1, 0] });

/** Letter runs the lexer reads as a unit word after a number ("5cm", "3 km"), not as variables. */
export const UNIT_WORDS: ReadonlySet<string> = new Set(
  [...BY_NAME.keys()].filter(
    (k) => k.length >= 2 && !["in", "mi", "pt", "min", "ms", "nm", "Cal", "bar", "bars"].includes(k),
  ),
);

function scale(d: Dims, k: number): Dims {
  return [d[0] * k, d[1] * k, d[2] * k, d[3] * k];
}
function addDims(a: Dims, b: Dims): Dims {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]];
}

/**
 * Parses a unit expression: words joined by "*", "/", "per", with "^n", "square"/"sq"/"cubic" prefixes.
 * Returns null for anything it does not know (then the unit is only an annotation).
 */
export function parseUnit(text: string): UnitValue | null {
  const s = text
    .replace(/\\/g, " ")
    .replace(/[{}]/g, "")
    .replace(/\bper\b/g, "/")
    .replace(/²/g, "^2")
    .replace(/³/g, "^3")
    .trim();
  if (!s) return null;
  let factor: Rat = ONE;
  let dims: Dims = [0, 0, 0, 0];
  let sign = 1;
  let pending = 1;
  const parts = s.match(/[A-Za-z]+|\^-?\d+|\/|\*|\S/g) ?? [];
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    if (p === "/") {
      sign = -1;
      continue;
    }
    if (p === "*" || p === "." || p === "cdot") continue;
    if (p === "square" || p === "sq") {
      pending = 2;
      continue;
    }
    if (p === "cubic" || p === "cu") {
      pending = 3;
      continue;
    }
    // Case matters where it tells units apart (mW and MW, Pa and pa); lower case is a fallback only.
    let u = BY_NAME.get(p) ?? BY_NAME.get(p.toLowerCase());
    if (!u && p.endsWith("s")) u = BY_NAME.get(p.slice(0, -1));
    if (!u) return null;
    let power = pending;
    pending = 1;
    const next = parts[k + 1];
    if (next?.startsWith("^")) {
      power *= Number(next.slice(1));
      k++;
    }
    power *= sign;
    const f = powInt(u.factor, BigInt(power));
    if (!f) return null;
    const m = mul(factor, f);
    if (!m) return null;
    factor = m;
    dims = addDims(dims, scale(u.dims, power));
  }
  if (pending !== 1) return null;
  return { factor, dims };
}

export function sameDims(a: Dims, b: Dims): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** The factor that converts a value in unit `from` to unit `to`, or null when they do not convert. */
export function conversion(from: string, to: string): Rat | null {
  const a = parseUnit(from);
  const b = parseUnit(to);
  if (!a || !b || !sameDims(a.dims, b.dims)) return null;
  return div(a.factor, b.factor);
}

/** Canonical spelling of an annotation unit for comparison ("Apples" ~ "apple", "sq units" ~ "square units"). */
export function normalizeUnitWord(u: string): string {
  return u
    .toLowerCase()
    .replace(/[\\{}\s]+/g, " ")
    .replace(/\bsq\b/g, "square")
    .replace(/(\w{3,})s\b/g, "$1")
    .trim();
}
