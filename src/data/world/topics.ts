/**
 * Simple writing tasks about the world for IFEval-style prompts: the task sentence, five facts to answer with
 * (each tagged with a keyword it contains, for `keywords:existence`), a title and a postscript.
 */
import type { Rng } from "../../rng.js";
import { PEOPLE, PLACES, THINGS, article, cap, type Person } from "./vocab.js";

export interface Fact {
  text: string;
  /** A word the sentence contains (never the topic's own name, which every fact mentions). */
  keyword: string;
}

export interface Topic {
  task: string;
  facts: Fact[];
  title: string;
  /** A title with no keyword in it, for replies that must avoid a keyword. */
  fallbackTitle: string;
  postscript: string;
}

function other(rng: Rng, not: Person): Person {
  return rng.pick(PEOPLE.filter((p) => p !== not));
}

const TOPICS: ((rng: Rng) => Topic)[] = [
  function person(rng) {
    const p = rng.pick(PEOPLE), friend = other(rng, p), place = rng.pick(PLACES.filter((l) => l !== p.home));
    return {
      task: rng.pick([`Write a short note about ${p.name}.`, `Describe ${p.name} in a few sentences.`]),
      facts: [
        { text: `${p.name} is ${article(p.job)} ${p.job}.`, keyword: p.job },
        { text: `${cap(p.he)} lives near the ${p.home}.`, keyword: p.home },
        { text: `${cap(p.he)} likes ${p.likes}.`, keyword: p.likes },
        { text: `Every day ${p.he} walks to the ${place}.`, keyword: place },
        { text: `${cap(p.his)} best friend is ${friend.name}.`, keyword: friend.name },
      ],
      title: `About ${p.name}`,
      fallbackTitle: "A Short Note",
      postscript: `${p.name} says hello.`,
    };
  },
  function thing(rng) {
    const t = rng.pick(THINGS), fan = PEOPLE.find((p) => p.likes === t.plural) ?? rng.pick(PEOPLE);
    const owner = other(rng, fan), k = rng.int(2, 9);
    return {
      task: rng.pick([`Write a short note about ${t.plural}.`, `Describe ${t.plural} in a few sentences.`]),
      facts: [
        { text: `${cap(t.plural)} are ${t.color}.`, keyword: t.color },
        { text: `You can find ${t.plural} at the ${t.place}.`, keyword: t.place },
        { text: `${fan.name} likes ${t.plural}.`, keyword: fan.name },
        { text: `${owner.name} has ${k} ${t.plural} at home.`, keyword: owner.name },
        { text: `${cap(article(t.singular))} ${t.singular} is small and easy to carry.`, keyword: "small" },
      ],
      title: `All About ${cap(t.plural)}`,
      fallbackTitle: "A Short Note",
      postscript: `I like ${t.plural} a lot.`,
    };
  },
  function place(rng) {
    const l = rng.pick(PLACES), local = PEOPLE.find((p) => p.home === l) ?? rng.pick(PEOPLE);
    const visitor = other(rng, local), t = THINGS.find((x) => x.place === l) ?? rng.pick(THINGS);
    return {
      task: rng.pick([`Write a short note about the ${l}.`, `Describe the ${l} in a few sentences.`]),
      facts: [
        { text: `${local.name} lives near the ${l}.`, keyword: local.name },
        { text: `You can find ${t.plural} at the ${l}.`, keyword: t.plural },
        { text: `The ${l} is quiet in the morning.`, keyword: "morning" },
        { text: `Children play at the ${l} after school.`, keyword: "children" },
        { text: `${visitor.name} goes to the ${l} on weekends.`, keyword: visitor.name },
      ],
      title: `The ${cap(l)}`,
      fallbackTitle: "A Short Note",
      postscript: `See you at the ${l}.`,
    };
  },
  function day(rng) {
    const p = rng.pick(PEOPLE), friend = other(rng, p), l = rng.pick(PLACES), t = rng.pick(THINGS), k = rng.int(2, 9);
    return {
      task: `Tell me about a day of ${p.name} at the ${l}.`,
      facts: [
        { text: `In the morning ${p.name} goes to the ${l}.`, keyword: "morning" },
        { text: `${cap(p.he)} meets ${friend.name} there.`, keyword: friend.name },
        { text: `${cap(p.he)} counts ${k} ${t.plural} there.`, keyword: t.plural },
        { text: `At noon ${p.he} eats lunch by the water.`, keyword: "lunch" },
        { text: `In the evening ${p.he} goes home.`, keyword: "evening" },
      ],
      title: `A Day at the ${cap(l)}`,
      fallbackTitle: "A Good Day",
      postscript: `${p.name} had a good day.`,
    };
  },
];

export function topicFor(rng: Rng): Topic {
  return rng.pick(TOPICS)(rng);
}
