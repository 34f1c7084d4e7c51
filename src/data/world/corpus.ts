/**
 * The plain-text corpus of the world for pretraining: profiles of its people, facts about its objects and places,
 * little stories with counting, worked arithmetic and fractions in prose, and (training-split) question and answer
 * pairs in the same words the tasks use. Two mixes share the generators: "pretrain" is mostly general text,
 * "anneal" (mid-training) is richer in worked problems and Q&A.
 */
import type { Rng } from "../../rng.js";
import { chatItem } from "./chat.js";
import { gsmItem } from "./gsm.js";
import type { TaskItem } from "./item.js";
import { mathItem } from "./math.js";
import { PEOPLE, PLACES, THINGS, article, cap, countOf } from "./vocab.js";

type Snippet = (rng: Rng, used: TaskItem[]) => string;

const SNIPPETS = {
  profile(rng) {
    const p = rng.pick(PEOPLE), f = rng.pick(PEOPLE.filter((x) => x !== p));
    return `${p.name} is ${article(p.job)} ${p.job}. ${cap(p.he)} lives near the ${p.home}. ${cap(p.he)} likes ${p.likes}. ${cap(p.his)} friend ${f.name} is ${article(f.job)} ${f.job}.`;
  },
  thing(rng) {
    const t = rng.pick(THINGS), fan = PEOPLE.find((p) => p.likes === t.plural);
    const liked = fan ? ` ${fan.name} likes ${t.plural}.` : "";
    return `${cap(t.plural)} are ${t.color}. You can find ${t.plural} at the ${t.place}. ${cap(article(t.singular))} ${t.singular} is small.${liked}`;
  },
  place(rng) {
    const l = rng.pick(PLACES), local = PEOPLE.find((p) => p.home === l), there = THINGS.filter((t) => t.place === l);
    const lives = local ? ` ${local.name} lives near the ${l}.` : "";
    const finds = there.length ? ` People find ${there.map((t) => t.plural).join(" and ")} at the ${l}.` : "";
    return `The ${l} is a nice place.${lives}${finds}`;
  },
  story(rng) {
    const p = rng.pick(PEOPLE), t = rng.pick(THINGS), l = rng.pick(PLACES), a = rng.int(1, 9), b = rng.int(1, 9);
    const found = rng.next() < 0.5;
    const end = found
      ? `${cap(p.he)} found ${b} more. Now ${p.he} has ${a} + ${b} = ${countOf(a + b, t)}.`
      : `${cap(p.he)} gave ${Math.min(a, b)} to a friend. Now ${p.he} has ${a} - ${Math.min(a, b)} = ${countOf(a - Math.min(a, b), t)}.`;
    return `One day ${p.name} went to the ${l}. ${cap(p.he)} had ${countOf(a, t)}. ${end} ${cap(p.he)} was happy.`;
  },
  prose(rng) {
    const t = rng.pick(THINGS), a = rng.int(1, 9), b = rng.int(1, 9), k = rng.int(2, 5);
    const q = rng.int(2, 9), p = rng.int(1, q - 1);
    return rng.pick([
      `If you have ${countOf(a, t)} and get ${b} more, you have ${a} + ${b} = ${countOf(a + b, t)}.`,
      `If you have ${countOf(a + b, t)} and give away ${b}, you have ${a + b} - ${b} = ${countOf(a, t)}.`,
      `${a} times ${b} is ${a * b}, so ${a} bags with ${countOf(b, t)} each hold ${countOf(a * b, t)}.`,
      `${p * k}/${q * k} is the same as ${p}/${q}, because we can divide the top and the bottom by ${k}.`,
      `Half of ${2 * a} is ${a}. A third of ${3 * b} is ${b}.`,
      `To add ${p}/${q} and ${k}/${q}, add the tops and keep the bottom: ${p + k}/${q}.`,
    ]);
  },
  gsm(rng, used) {
    const it = gsmItem(rng, "train", rng.pick([1, 1, 2, 2, 3] as const));
    used.push(it);
    return `Question: ${it.messages[0]!.content}\nAnswer: ${it.response}`;
  },
  math(rng, used) {
    const it = mathItem(rng, "train");
    used.push(it);
    return `Problem: ${it.messages[0]!.content}\nSolution: ${it.response}`;
  },
  chat(rng, used) {
    const it = chatItem(rng, "train");
    used.push(it);
    return `Q: ${it.messages[it.messages.length - 1]!.content}\nA: ${it.response}`;
  },
} satisfies Record<string, Snippet>;

type SnippetName = keyof typeof SNIPPETS;

/** Share of documents of each kind, per mix. */
export const MIXES: Record<"pretrain" | "anneal", Partial<Record<SnippetName, number>>> = {
  pretrain: { profile: 20, thing: 15, place: 10, story: 25, prose: 15, gsm: 7, math: 4, chat: 4 },
  anneal: { profile: 5, thing: 5, story: 15, prose: 25, gsm: 30, math: 10, chat: 10 },
};

function pickWeighted<K extends string>(rng: Rng, weights: Partial<Record<K, number>>): K {
  const entries = Object.entries(weights) as [K, number][];
  let r = rng.next() * entries.reduce((s, [, w]) => s + w, 0);
  for (const [k, w] of entries) if ((r -= w) < 0) return k;
  return entries[entries.length - 1]![0];
}

/**
 * Documents of one kind, 250 to 600 characters each, until `chars` characters are written. Returns the texts
 * and the task items whose worked answers they quote (for the verifier check).
 */
export function corpus(rng: Rng, mix: keyof typeof MIXES, chars: number): { texts: string[]; items: TaskItem[] } {
  const texts: string[] = [];
  const items: TaskItem[] = [];
  let total = 0;
  while (total < chars) {
    const kind = pickWeighted(rng, MIXES[mix]);
    const qa = kind === "gsm" || kind === "math" || kind === "chat";
    const parts: string[] = [];
    let length = 0;
    while (length < 250) {
      const quoted: TaskItem[] = [];
      const next = SNIPPETS[kind](rng, quoted);
      if (length > 0 && length + next.length > 600) break;
      parts.push(next);
      items.push(...quoted);
      length += next.length + 1;
    }
    const text = parts.join(qa ? "\n\n" : " ");
    texts.push(text);
    total += text.length;
  }
  return { texts, items };
}
