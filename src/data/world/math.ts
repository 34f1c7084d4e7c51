/**
 * MATH-style short problems: a worked solution ending with `The answer is \boxed{...}`, fractions written
 * `\frac{p}{q}` in lowest terms. Each problem type has several phrasings; the last phrasing of each type is kept
 * for eval (these prompts have no names to vary, so phrasing is what separates eval from training).
 * The rejected reply makes a typical slip (adding denominators, dividing only the top, wrong precedence).
 */
import type { Rng } from "../../rng.js";
import type { Split, TaskItem } from "./item.js";

interface MathProblem {
  /** Values to put in the phrasing's {placeholders}. */
  vars: Record<string, string | number>;
  steps: string[];
  /** The answer as [numerator, denominator]. */
  answer: [number, number];
  /** A wrong answer of the kind a student would give (never equal to the answer). */
  wrong: [number, number];
}

interface MathType {
  difficulty: 1 | 2 | 3;
  phrasings: string[];
  make(rng: Rng): MathProblem;
}

export function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

function reduce([p, q]: [number, number]): [number, number] {
  const g = gcd(p, q) || 1;
  return [p / g, q / g];
}

/** A rational in lowest terms as LaTeX: an integer, or `\frac{p}{q}`. */
export function fracTex(value: [number, number]): string {
  const [p, q] = reduce(value);
  return q === 1 ? String(p) : `\\frac{${p}}{${q}}`;
}

function sameValue(a: [number, number], b: [number, number]): boolean {
  return a[0] * b[1] === b[0] * a[1];
}

/** A fraction p/q with 0 < p < q and gcd 1. */
function properFraction(rng: Rng, maxDen: number): [number, number] {
  for (;;) {
    const q = rng.int(2, maxDen), p = rng.int(1, q - 1);
    if (gcd(p, q) === 1) return [p, q];
  }
}

const TYPES: Record<string, MathType> = {
  simplify: {
    difficulty: 1,
    phrasings: ["Simplify {a}/{b}.", "Write {a}/{b} in lowest terms.", "Reduce the fraction {a}/{b}."],
    make(rng) {
      const [p, q] = properFraction(rng, 9), k = rng.int(2, 5);
      return {
        vars: { a: p * k, b: q * k },
        steps: [`Both ${p * k} and ${q * k} can be divided by ${k}.`, `${p * k}/${q * k} = ${p}/${q}.`],
        answer: [p, q],
        wrong: rng.next() < 0.5 ? [p, q + 1] : [p, q * k],
      };
    },
  },
  product: {
    difficulty: 1,
    phrasings: ["What is {a} \\times {b}?", "Multiply {a} by {b}.", "Find the product of {a} and {b}."],
    make(rng) {
      const a = rng.int(2, 9), b = rng.int(2, 9);
      return { vars: { a, b }, steps: [`${a} \\times ${b} = ${a * b}.`], answer: [a * b, 1], wrong: [a * (b + 1), 1] };
    },
  },
  addEquation: {
    difficulty: 1,
    phrasings: ["Solve for x: x + {a} = {c}.", "Find x if x + {a} = {c}.", "What value of x makes x + {a} = {c} true?"],
    make(rng) {
      const a = rng.int(1, 9), x = rng.int(1, 9);
      return {
        vars: { a, c: a + x },
        steps: [`Subtract ${a} from both sides.`, `x = ${a + x} - ${a} = ${x}.`],
        answer: [x, 1],
        wrong: [a + x + a, 1],
      };
    },
  },
  addFractions: {
    difficulty: 2,
    phrasings: ["What is {a}/{q} + {b}/{q}?", "Add {a}/{q} and {b}/{q}.", "Find the sum of {a}/{q} and {b}/{q}."],
    make(rng) {
      const q = rng.int(3, 9), a = rng.int(1, q - 1), b = rng.int(1, q - 1);
      const [rp, rq] = reduce([a + b, q]);
      const tail = rp === a + b && rq === q ? "" : ` = ${rq === 1 ? rp : `${rp}/${rq}`}`;
      return {
        vars: { a, b, q },
        steps: [`The bottoms are the same, so we add the tops: ${a} + ${b} = ${a + b}.`, `${a}/${q} + ${b}/${q} = ${a + b}/${q}${tail}.`],
        answer: [a + b, q],
        wrong: [a + b, 2 * q],
      };
    },
  },
  fractionOf: {
    difficulty: 2,
    phrasings: ["What is {p}/{q} of {n}?", "Find {p}/{q} of {n}.", "How much is {p}/{q} of {n}?"],
    make(rng) {
      const [p, q] = properFraction(rng, 6), m = rng.int(1, 6);
      return {
        vars: { p, q, n: q * m },
        steps: [`${q * m} / ${q} = ${m}.`, `${m} \\times ${p} = ${m * p}.`],
        answer: [m * p, 1],
        wrong: [m * p + m, 1],
      };
    },
  },
  twoStepEquation: {
    difficulty: 2,
    phrasings: ["Solve for x: {a}x + {b} = {c}.", "Find x if {a}x + {b} = {c}.", "What value of x makes {a}x + {b} = {c} true?"],
    make(rng) {
      const a = rng.int(2, 5), b = rng.int(1, 9), x = rng.int(1, 9);
      return {
        vars: { a, b, c: a * x + b },
        steps: [`Subtract ${b} from both sides: ${a}x = ${a * x}.`, `Divide both sides by ${a}: x = ${x}.`],
        answer: [x, 1],
        wrong: [x + 1, 1],
      };
    },
  },
  precedence: {
    difficulty: 3,
    phrasings: ["What is {a} + {b} \\times {c}?", "Compute {a} + {b} \\times {c}.", "Evaluate {a} + {b} \\times {c}."],
    make(rng) {
      const a = rng.int(1, 9), b = rng.int(2, 9), c = rng.int(2, 9);
      return {
        vars: { a, b, c },
        steps: [`Multiply first: ${b} \\times ${c} = ${b * c}.`, `Then add: ${a} + ${b * c} = ${a + b * c}.`],
        answer: [a + b * c, 1],
        wrong: [(a + b) * c, 1],
      };
    },
  },
  multiplyFractions: {
    difficulty: 3,
    phrasings: ["What is {a}/{b} \\times {c}/{d}?", "Multiply {a}/{b} by {c}/{d}.", "Find the product of {a}/{b} and {c}/{d}."],
    make(rng) {
      const [a, b] = properFraction(rng, 6), [c, d] = properFraction(rng, 6);
      const [rp, rq] = reduce([a * c, b * d]);
      const tail = rp === a * c && rq === b * d ? "" : ` = ${rp}/${rq}`;
      const adding: [number, number] = [a + c, b + d];
      return {
        vars: { a, b, c, d },
        steps: [`Multiply the tops and the bottoms: ${a} \\times ${c} = ${a * c} and ${b} \\times ${d} = ${b * d}.`, `${a}/${b} \\times ${c}/${d} = ${a * c}/${b * d}${tail}.`],
        answer: [a * c, b * d],
        wrong: sameValue(adding, [a * c, b * d]) ? [a * c, b * d + 1] : adding,
      };
    },
  },
};

const TYPE_NAMES = Object.keys(TYPES);

function fill(phrasing: string, vars: Record<string, string | number>): string {
  return phrasing.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name]));
}

function answerText(steps: string[], value: [number, number]): string {
  return [...steps, `The answer is \\boxed{${fracTex(value)}}.`].join("\n");
}

/** One MATH-style item whose phrasing belongs to `split` (the last phrasing of each type is eval's). */
export function mathItem(rng: Rng, split: Split): TaskItem {
  const typeName = rng.pick(TYPE_NAMES);
  const type = TYPES[typeName]!;
  const last = type.phrasings.length - 1;
  const phrasing = split === "eval" ? last : rng.int(0, last - 1);
  const problem = type.make(rng);
  if (sameValue(problem.answer, problem.wrong)) throw new Error(`math generator ${typeName}: wrong answer equals the answer`);
  // The slip: the last step is skipped and a wrong value boxed.
  const rejected = answerText(problem.steps.slice(0, -1), problem.wrong);
  return {
    kind: "math",
    key: `math|${typeName}|${phrasing}`,
    messages: [{ role: "user", content: fill(type.phrasings[phrasing]!, problem.vars) }],
    response: answerText(problem.steps, problem.answer),
    rejected,
    rejectedKind: "wrong",
    groundTruth: fracTex(problem.answer),
    difficulty: type.difficulty,
  };
}
