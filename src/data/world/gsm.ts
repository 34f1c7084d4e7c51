/**
 * GSM8K-style word problems: a short story, a step-by-step solution with one equation per line, and the final
 * answer as `#### N`. Three levels:
 *   1. one step, single-digit addition or subtraction (small enough for a tiny model to learn);
 *   2. two steps, or one multiplication, numbers up to 20;
 *   3. three steps with a multiplication, numbers up to 50.
 * The rejected reply either slips in the last step (a wrong `#### N`) or stops before the answer.
 */
import type { Rng } from "../../rng.js";
import { drawInSplit, type Split, type TaskItem } from "./item.js";
import { PEOPLE, THINGS, cap, countOf, type Person, type Thing } from "./vocab.js";

interface Step {
  /** The equation line, e.g. "3 + 4 = 7." */
  text: string;
  result: number;
}

interface Problem {
  template: string;
  people: Person[];
  thing: Thing;
  question: string;
  /** Lines that restate the facts before the arithmetic. */
  intro: string[];
  steps: Step[];
  /** A closing sentence that names the answer. */
  closing: (answer: number) => string;
}

type Template = (rng: Rng, p: Person[], t: Thing) => Omit<Problem, "template" | "people" | "thing">;

const add = (a: number, b: number): Step => ({ text: `${a} + ${b} = ${a + b}.`, result: a + b });
const sub = (a: number, b: number): Step => ({ text: `${a} - ${b} = ${a - b}.`, result: a - b });
const mul = (a: number, b: number): Step => ({ text: `${a} * ${b} = ${a * b}.`, result: a * b });

const LEVEL_1: Record<string, Template> = {
  gets(rng, [a], t) {
    const x = rng.int(1, 9), y = rng.int(1, 9);
    return {
      question: `${a!.name} has ${countOf(x, t)}. ${cap(a!.he)} gets ${y} more. How many ${t.plural} does ${a!.name} have now?`,
      intro: [`${a!.name} has ${countOf(x, t)} and gets ${y} more.`],
      steps: [add(x, y)],
      closing: (n) => `${a!.name} has ${countOf(n, t)} now.`,
    };
  },
  together(rng, [a, b], t) {
    const x = rng.int(1, 9), y = rng.int(1, 9);
    return {
      question: `${a!.name} has ${countOf(x, t)} and ${b!.name} has ${countOf(y, t)}. How many ${t.plural} do they have in all?`,
      intro: [`${a!.name} has ${x} and ${b!.name} has ${y}.`],
      steps: [add(x, y)],
      closing: (n) => `They have ${countOf(n, t)} in all.`,
    };
  },
  givesAway(rng, [a, b], t) {
    const x = rng.int(2, 9), y = rng.int(1, x - 1);
    return {
      question: `${a!.name} has ${countOf(x, t)}. ${cap(a!.he)} gives ${y} to ${b!.name}. How many ${t.plural} does ${a!.name} have left?`,
      intro: [`${a!.name} has ${countOf(x, t)} and gives away ${y}.`],
      steps: [sub(x, y)],
      closing: (n) => `${a!.name} has ${countOf(n, t)} left.`,
    };
  },
  loses(rng, [a], t) {
    const x = rng.int(2, 9), y = rng.int(1, x - 1);
    return {
      question: `${a!.name} had ${countOf(x, t)} and lost ${y} of them. How many ${t.plural} are left?`,
      intro: [`${a!.name} had ${countOf(x, t)} and lost ${y}.`],
      steps: [sub(x, y)],
      closing: (n) => `${countOf(n, t)} are left.`,
    };
  },
};

const LEVEL_2: Record<string, Template> = {
  buysThenGives(rng, [a, b], t) {
    const x = rng.int(2, 12), y = rng.int(1, 8), z = rng.int(1, x + y - 1);
    return {
      question: `${a!.name} has ${countOf(x, t)}. ${cap(a!.he)} buys ${y} more and then gives ${z} to ${b!.name}. How many ${t.plural} does ${a!.name} have now?`,
      intro: [`${a!.name} starts with ${countOf(x, t)}.`],
      steps: [add(x, y), sub(x + y, z)],
      closing: (n) => `${a!.name} has ${countOf(n, t)} now.`,
    };
  },
  bags(rng, [a], t) {
    const x = rng.int(2, 5), y = rng.int(2, 5);
    return {
      question: `${a!.name} buys ${x} bags of ${t.plural}. Each bag has ${countOf(y, t)}. How many ${t.plural} does ${a!.name} buy?`,
      intro: [`There are ${x} bags with ${countOf(y, t)} in each bag.`],
      steps: [mul(x, y)],
      closing: (n) => `${a!.name} buys ${countOf(n, t)}.`,
    };
  },
  threeFriends(rng, [a, b, c], t) {
    const x = rng.int(1, 9), y = rng.int(1, 9), z = rng.int(1, 9);
    return {
      question: `${a!.name} has ${countOf(x, t)}, ${b!.name} has ${y} and ${c!.name} has ${z}. How many ${t.plural} do they have together?`,
      intro: [`We add the ${t.plural} of all three.`],
      steps: [add(x, y), add(x + y, z)],
      closing: (n) => `They have ${countOf(n, t)} together.`,
    };
  },
  moreThan(rng, [a, b], t) {
    const x = rng.int(2, 10), y = rng.int(1, 8);
    return {
      question: `${a!.name} has ${countOf(x, t)}. ${b!.name} has ${y} more than ${a!.name}. How many ${t.plural} do they have together?`,
      intro: [`${b!.name} has ${y} more than ${a!.name}.`],
      steps: [add(x, y), add(x, x + y)],
      closing: (n) => `Together they have ${countOf(n, t)}.`,
    };
  },
};

const LEVEL_3: Record<string, Template> = {
  packsShared(rng, [a, b, c], t) {
    const x = rng.int(2, 6), y = rng.int(3, 8);
    const z = rng.int(1, Math.min(9, x * y - 2)), w = rng.int(1, x * y - z - 1);
    return {
      question: `${a!.name} buys ${x} packs of ${t.plural} with ${y} in each pack. ${cap(a!.he)} gives ${z} to ${b!.name} and ${w} to ${c!.name}. How many ${t.plural} are left?`,
      intro: [`First we find how many ${t.plural} ${a!.name} buys.`],
      steps: [mul(x, y), sub(x * y, z), sub(x * y - z, w)],
      closing: (n) => `${a!.name} has ${countOf(n, t)} left.`,
    };
  },
  twiceAsMany(rng, [a, b, c], t) {
    const x = rng.int(2, 9), y = rng.int(1, 6);
    const m = x + y;
    return {
      question: `${a!.name} has ${countOf(x, t)}. ${b!.name} has ${y} more than ${a!.name}. ${c!.name} has twice as many as ${b!.name}. How many ${t.plural} do ${b!.name} and ${c!.name} have together?`,
      intro: [`We find ${b!.name}'s ${t.plural} first.`],
      steps: [add(x, y), mul(m, 2), add(m, 2 * m)],
      closing: (n) => `${b!.name} and ${c!.name} have ${countOf(n, t)} together.`,
    };
  },
  shopDay(rng, [a], t) {
    const x = rng.int(20, 50), y = rng.int(2, 10), z = rng.int(2, 10), w = rng.int(1, 20);
    return {
      question: `${a!.name}'s shop has ${countOf(x, t)}. ${cap(a!.he)} sells ${y} in the morning and ${z} in the afternoon. Then ${a!.he} gets ${w} more. How many ${t.plural} does the shop have now?`,
      intro: [`The shop starts with ${countOf(x, t)}.`],
      steps: [sub(x, y), sub(x - y, z), add(x - y - z, w)],
      closing: (n) => `The shop has ${countOf(n, t)} now.`,
    };
  },
  boxesAndExtra(rng, [a, b], t) {
    const x = rng.int(2, 6), y = rng.int(2, 6), z = rng.int(1, 9), w = rng.int(2, 4);
    return {
      question: `${a!.name} has ${x} boxes with ${countOf(y, t)} in each box and ${z} loose ${t.plural}. ${b!.name} has ${w} times as many ${t.plural} as ${a!.name}. How many ${t.plural} does ${b!.name} have?`,
      intro: [`We count ${a!.name}'s ${t.plural} first.`],
      steps: [mul(x, y), add(x * y, z), mul(x * y + z, w)],
      closing: (n) => `${b!.name} has ${countOf(n, t)}.`,
    };
  },
};

const LEVELS = [LEVEL_1, LEVEL_2, LEVEL_3] as const;

/** The last number in a text, as a gsm8k checker without `####` would read it. */
export function lastNumber(text: string): number | undefined {
  const all = text.match(/-?\d+/g);
  return all ? Number(all[all.length - 1]) : undefined;
}

function distinctPeople(rng: Rng, n: number): Person[] {
  return rng.shuffle([...PEOPLE]).slice(0, n);
}

function solution(p: Problem, lastResult: number): string {
  const lines = [...p.intro, ...p.steps.slice(0, -1).map((s) => s.text)];
  const last = p.steps[p.steps.length - 1]!;
  lines.push(last.text.replace(/= -?\d+\.$/, `= ${lastResult}.`), p.closing(lastResult), `#### ${lastResult}`);
  return lines.join("\n");
}

/** One GSM-style item of the given difficulty (1..3) whose words fall in `split`. */
export function gsmItem(rng: Rng, split: Split, difficulty: 1 | 2 | 3): TaskItem {
  const templates = LEVELS[difficulty - 1];
  return drawInSplit(split, () => {
    const name = rng.pick(Object.keys(templates));
    const people = distinctPeople(rng, 3);
    const thing = rng.pick(THINGS);
    const problem: Problem = { template: name, people, thing, ...templates[name]!(rng, people, thing) };
    const answer = problem.steps[problem.steps.length - 1]!.result;
    const response = solution(problem, answer);
    // The words of the question are its template and the names and object it uses.
    const used = people.filter((p) => problem.question.includes(p.name)).map((p) => p.name);
    const key = `gsm|${difficulty}|${name}|${used.join(",")}|${thing.plural}`;
    return { kind: "gsm8k", key, messages: [{ role: "user", content: problem.question }], response, ...rejected(rng, problem, answer), groundTruth: String(answer), difficulty };
  });
}

function rejected(rng: Rng, p: Problem, answer: number): Pick<TaskItem, "rejected" | "rejectedKind"> {
  if (rng.next() < 0.3) {
    // Stop before the last equation: no final answer, as a reply cut off before EOS would be.
    const cut = [...p.intro, ...p.steps.slice(0, -1).map((s) => s.text)].join("\n");
    if (lastNumber(cut) !== answer) return { rejected: cut, rejectedKind: "truncated" };
  }
  const slips = [-2, -1, 1, 2].map((d) => answer + d).filter((v) => v >= 0);
  return { rejected: solution(p, rng.pick(slips)), rejectedKind: "wrong" };
}
