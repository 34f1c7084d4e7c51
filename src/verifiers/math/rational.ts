/** Exact rationals on BigInt, with a size cap so hostile powers and factorials give up instead of hanging. */

/** Past this many bits a number is refused; sympy itself would take seconds to minutes there. */
export const MAX_BITS = 200_000;

export class TooBig extends Error {
  override name = "TooBig";
}

const bitLength = (n: bigint): number => (n < 0n ? -n : n).toString(16).length * 4;

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export class Q {
  readonly n: bigint;
  readonly d: bigint;
  constructor(n: bigint, d: bigint = 1n) {
    if (d === 0n) throw new RangeError("division by zero");
    if (d < 0n) (n = -n), (d = -d);
    const g = gcd(n, d);
    this.n = g > 1n ? n / g : n;
    this.d = g > 1n ? d / g : d;
    if (bitLength(this.n) + bitLength(this.d) > MAX_BITS) throw new TooBig("number too large");
  }
  static int(v: bigint | number): Q {
    return new Q(BigInt(v));
  }
  /** A decimal literal such as "1234" or "0.375", exactly. */
  static decimal(text: string): Q {
    const dot = text.indexOf(".");
    if (dot < 0) return new Q(BigInt(text));
    const frac = text.slice(dot + 1);
    return new Q(BigInt(text.slice(0, dot) + frac), 10n ** BigInt(frac.length));
  }
  get isInteger(): boolean {
    return this.d === 1n;
  }
  get isZero(): boolean {
    return this.n === 0n;
  }
  add(o: Q): Q {
    return new Q(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  mul(o: Q): Q {
    return new Q(this.n * o.n, this.d * o.d);
  }
  neg(): Q {
    return new Q(-this.n, this.d);
  }
  inv(): Q {
    return new Q(this.d, this.n);
  }
  equals(o: Q): boolean {
    return this.n === o.n && this.d === o.d;
  }
  floor(): Q {
    const q = this.n / this.d;
    return Q.int(this.n < 0n && q * this.d !== this.n ? q - 1n : q);
  }
  ceil(): Q {
    return this.neg().floor().neg();
  }
  abs(): Q {
    return this.n < 0n ? this.neg() : this;
  }
  /** The nearest double (exact for small terms; huge terms are scaled down first so they do not overflow). */
  toNumber(): number {
    const excess = Math.max(bitLength(this.n), bitLength(this.d)) - 1000;
    if (excess <= 0) return Number(this.n) / Number(this.d);
    const shift = BigInt(excess);
    const n = Number(this.n >> shift);
    const d = Number(this.d >> shift);
    return d === 0 ? (n < 0 ? -Infinity : Infinity) : n / d;
  }
  /** this ** k for an integer k, refusing results past MAX_BITS before computing them. */
  powInt(k: bigint): Q {
    if (k < 0n) return this.inv().powInt(-k);
    const bits = Math.max(bitLength(this.n), bitLength(this.d));
    if (bits > 1 && Number(k) * (bits - 1) > MAX_BITS) throw new TooBig("power too large");
    return new Q(this.n ** k, this.d ** k);
  }
}

/** The exact integer k-th root of a non-negative n, or null. */
export function exactRoot(n: bigint, k: bigint): bigint | null {
  if (n < 0n) return null;
  if (n < 2n) return n;
  let lo = 0n;
  let hi = 1n << BigInt(Math.ceil(bitLength(n) / Number(k)) + 1);
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    if (mid ** k <= n) lo = mid;
    else hi = mid - 1n;
  }
  return lo ** k === n ? lo : null;
}

/** n! for 0 <= n <= 5000. */
export function factorial(n: bigint): Q {
  if (n < 0n || n > 5000n) throw new TooBig("factorial argument out of range");
  let r = 1n;
  for (let i = 2n; i <= n; i++) r *= i;
  return new Q(r);
}

/** The binomial coefficient C(n, k) for integers, as sympy's binomial evaluates it (0 outside 0 <= k <= n for n >= 0). */
export function binomial(n: bigint, k: bigint): Q {
  if (k < 0n) return Q.int(0);
  if (n >= 0n && k > n) return Q.int(0);
  if (k > 5000n && (n < 0n || n - k > 5000n)) throw new TooBig("binomial too large");
  const kk = n >= 0n && n - k < k ? n - k : k;
  let r = new Q(1n);
  for (let i = 0n; i < kk; i++) r = r.mul(new Q(n - i, i + 1n));
  return r;
}
