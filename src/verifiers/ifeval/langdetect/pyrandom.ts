/**
 * CPython's `random.Random` (Mersenne Twister MT19937, `Modules/_randommodule.c` and
 * `Lib/random.py` of 3.11), just the parts langdetect uses: `seed(int)`, `random()`, `gauss()`
 * and `choice()` (as `randBelow`), so that a seeded detection draws exactly the same numbers as the reference.
 */
const N = 624;
const M = 397;
const TWO_PI = 2 * Math.PI;

/** One MT19937 recurrence step: the new word from words kk, kk + 1 and kk + M. */
function twist(current: number, next: number, far: number): number {
  const y = (current & 0x80000000) | (next & 0x7fffffff);
  return far ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
}

export class PyRandom {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;
  private gaussNext: number | null = null;

  constructor(seed: number) {
    this.seed(seed);
  }

  /** The state right after the last distinct `seed(n)` (re-seeding with the same n copies it back). */
  private seededWith = -1;
  private readonly seededState = new Uint32Array(N);

  /** `random.seed(n)` for a non-negative integer below 2**32: init_by_array([n]). */
  seed(n: number): void {
    if (n >>> 0 === this.seededWith) {
      this.mt.set(this.seededState);
      this.index = N;
    } else {
      this.initByArray([n >>> 0]);
      this.seededWith = n >>> 0;
      this.seededState.set(this.mt);
    }
    this.gaussNext = null;
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private genrandUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      // The next 624 words, in place; as genrand_uint32 does, the loop is split where kk + 1 and
      // kk + M wrap around, so words already renewed are read there.
      let kk = 0;
      for (; kk < N - M; kk++) mt[kk] = twist(mt[kk]!, mt[kk + 1]!, mt[kk + M]!);
      for (; kk < N - 1; kk++) mt[kk] = twist(mt[kk]!, mt[kk + 1]!, mt[kk + M - N]!);
      mt[N - 1] = twist(mt[N - 1]!, mt[0]!, mt[M - 1]!);
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random.random()`: 53-bit float in [0, 1). */
  random(): number {
    const a = this.genrandUint32() >>> 5;
    const b = this.genrandUint32() >>> 6;
    return (a * 67108864 + b) * (1 / 9007199254740992);
  }

  /** `random.gauss(mu, sigma)` (Box-Muller with the second value cached, as in Lib/random.py). */
  gauss(mu: number, sigma: number): number {
    let z = this.gaussNext;
    this.gaussNext = null;
    if (z === null) {
      const x2pi = this.random() * TWO_PI;
      const g2rad = Math.sqrt(-2 * Math.log(1 - this.random()));
      z = Math.cos(x2pi) * g2rad;
      this.gaussNext = Math.sin(x2pi) * g2rad;
    }
    return mu + z * sigma;
  }

  /** `_randbelow(n)` (so `random.choice(seq)` is `seq[randBelow(len(seq))]`) for 0 < n < 2**32: rejection sampling on `getrandbits(n.bit_length())`. */
  randBelow(n: number): number {
    const k = 32 - Math.clz32(n);
    let r = this.genrandUint32() >>> (32 - k);
    while (r >= n) r = this.genrandUint32() >>> (32 - k);
    return r;
  }
}
