/**
 * Complex double arithmetic for the numeric half of the sympy emulation: principal branches as sympy
 * defines them (sqrt, log, x**y = exp(y log x), the inverse trig and hyperbolic functions).
 */
export interface C {
  re: number;
  im: number;
}

export const c = (re: number, im = 0): C => ({ re, im });
export const add = (a: C, b: C): C => c(a.re + b.re, a.im + b.im);
export const sub = (a: C, b: C): C => c(a.re - b.re, a.im - b.im);
export const neg = (a: C): C => c(-a.re, -a.im);
export const mul = (a: C, b: C): C =>
  b.im === 0 && a.im === 0 ? c(a.re * b.re) : c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
export const abs = (a: C): number => Math.hypot(a.re, a.im);
export const isFinite = (a: C): boolean => Number.isFinite(a.re) && Number.isFinite(a.im);

export function div(a: C, b: C): C {
  if (b.im === 0 && a.im === 0) return c(b.re === 0 ? NaN : a.re / b.re);
  const d = b.re * b.re + b.im * b.im;
  if (d === 0) return c(NaN, NaN);
  return c((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}

export function exp(a: C): C {
  const m = Math.exp(a.re);
  return a.im === 0 ? c(m) : c(m * Math.cos(a.im), m * Math.sin(a.im));
}

/** Principal logarithm; log(0) is not finite (sympy: zoo). */
export function log(a: C): C {
  if (a.re === 0 && a.im === 0) return c(NaN, NaN);
  return a.im === 0 && a.re > 0 ? c(Math.log(a.re)) : c(Math.log(abs(a)), Math.atan2(a.im, a.re));
}

export function sqrt(a: C): C {
  if (a.im === 0) return a.re >= 0 ? c(Math.sqrt(a.re)) : c(0, Math.sqrt(-a.re));
  const m = abs(a);
  const re = Math.sqrt((m + a.re) / 2);
  const im = Math.sqrt((m - a.re) / 2);
  return c(re, a.im < 0 ? -im : im);
}

/** Principal power exp(b log a), with exact repeated squaring for small integer exponents. */
export function pow(a: C, b: C): C {
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 64) {
    let n = Math.abs(b.re);
    let result = c(1);
    let base = a;
    while (n > 0) {
      if (n & 1) result = mul(result, base);
      base = mul(base, base);
      n >>= 1;
    }
    return b.re < 0 ? div(c(1), result) : result;
  }
  if (a.re === 0 && a.im === 0) return b.re > 0 ? c(0) : c(NaN, NaN);
  if (a.im === 0 && a.re > 0 && b.im === 0) return c(Math.pow(a.re, b.re));
  return exp(mul(b, log(a)));
}

const I = c(0, 1);
const ONE = c(1);
const HALF = c(0.5);

export const sin = (a: C): C => (a.im === 0 ? c(Math.sin(a.re)) : c(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im)));
export const cos = (a: C): C => (a.im === 0 ? c(Math.cos(a.re)) : c(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im)));
export const tan = (a: C): C => div(sin(a), cos(a));
export const sinh = (a: C): C => mul(neg(I), sin(mul(I, a)));
export const cosh = (a: C): C => cos(mul(I, a));
export const tanh = (a: C): C => div(sinh(a), cosh(a));

/** asin z = -i log(iz + sqrt(1 - z^2)) */
export const asin = (a: C): C => mul(neg(I), log(add(mul(I, a), sqrt(sub(ONE, mul(a, a))))));
/** acos z = pi/2 - asin z */
export const acos = (a: C): C => sub(c(Math.PI / 2), asin(a));
/** atan z = (i/2) (log(1 - iz) - log(1 + iz)) */
export const atan = (a: C): C => mul(mul(I, HALF), sub(log(sub(ONE, mul(I, a))), log(add(ONE, mul(I, a)))));
/** asinh z = log(z + sqrt(z^2 + 1)) */
export const asinh = (a: C): C => log(add(a, sqrt(add(mul(a, a), ONE))));
/** acosh z = log(z + sqrt(z + 1) sqrt(z - 1)) */
export const acosh = (a: C): C => log(add(a, mul(sqrt(add(a, ONE)), sqrt(sub(a, ONE)))));
/** atanh z = (log(1 + z) - log(1 - z)) / 2 */
export const atanh = (a: C): C => mul(HALF, sub(log(add(ONE, a)), log(sub(ONE, a))));

/** Gamma of a real argument (Lanczos, g = 7); complex arguments are not finite here. */
export function gamma(a: C): C {
  if (a.im !== 0) return c(NaN, NaN);
  const x = a.re;
  if (Number.isInteger(x) && x <= 0) return c(NaN, NaN);
  if (x < 0.5) return c(Math.PI / (Math.sin(Math.PI * x) * gamma(c(1 - x)).re));
  const g = 7;
  const coef = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let s = coef[0]!;
  for (let i = 1; i < g + 2; i++) s += coef[i]! / (y + i);
  const t = y + g + 0.5;
  return c(Math.sqrt(2 * Math.PI) * Math.pow(t, y + 0.5) * Math.exp(-t) * s);
}
