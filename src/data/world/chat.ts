/**
 * Plain chat turns: greetings and short questions about the world's people and objects, answered in one or two
 * short sentences. Some questions follow a greeting exchange (multi-turn). The rejected reply either states a
 * wrong fact or rambles on without a proper ending (what a model that never learned EOS produces).
 */
import type { Message } from "../formats.js";
import type { Rng } from "../../rng.js";
import { drawInSplit, splitOfKey, type Split, type TaskItem } from "./item.js";
import { PEOPLE, THINGS, cap, article, type Person, type Thing } from "./vocab.js";

interface QA {
  /** Template name plus the words filled in: decides the split. */
  key: string;
  question: string;
  answer: string;
  /** The same answer with one fact wrong. */
  wrong: string;
}

const GREETINGS: [string, string][] = [
  ["Hi!", "Hello! How can I help you today?"],
  ["Hello!", "Hi there! What would you like to know?"],
  ["Good morning!", "Good morning! How can I help?"],
  ["Hey there!", "Hello! What can I do for you?"],
  ["How are you?", "I am fine, thank you. How can I help?"],
  ["Thank you!", "You are welcome!"],
  ["Thanks a lot!", "You are welcome! Have a nice day."],
  ["Goodbye!", "Goodbye! Have a nice day."],
];

function otherThing(rng: Rng, t: Thing, differs: (x: Thing) => boolean): Thing {
  return rng.pick(THINGS.filter((x) => x !== t && differs(x)));
}

function otherPerson(rng: Rng, p: Person, differs: (x: Person) => boolean): Person {
  return rng.pick(PEOPLE.filter((x) => x !== p && differs(x)));
}

const QUESTIONS: ((rng: Rng) => QA)[] = [
  (rng) => {
    const t = rng.pick(THINGS), o = otherThing(rng, t, (x) => x.color !== t.color);
    return { key: `color|${t.plural}`, question: `What color are ${t.plural}?`, answer: `${cap(t.plural)} are ${t.color}.`, wrong: `${cap(t.plural)} are ${o.color}.` };
  },
  (rng) => {
    const t = rng.pick(THINGS), o = otherThing(rng, t, (x) => x.place !== t.place);
    const say = (place: string) => `You can find ${t.plural} at the ${place}.`;
    return { key: `find|${t.plural}`, question: `Where can I find ${t.plural}?`, answer: say(t.place), wrong: say(o.place) };
  },
  (rng) => {
    const p = rng.pick(PEOPLE), o = otherPerson(rng, p, (x) => x.job !== p.job);
    const say = (job: string) => `${p.name} is ${article(job)} ${job}. ${cap(p.he)} lives near the ${p.home}.`;
    return { key: `who|${p.name}`, question: `Who is ${p.name}?`, answer: say(p.job), wrong: say(o.job) };
  },
  (rng) => {
    const p = rng.pick(PEOPLE), o = otherPerson(rng, p, () => true);
    return { key: `likes|${p.name}`, question: `What does ${p.name} like?`, answer: `${p.name} likes ${p.likes}.`, wrong: `${p.name} likes ${o.likes}.` };
  },
  (rng) => {
    const p = rng.pick(PEOPLE), o = otherPerson(rng, p, (x) => x.home !== p.home);
    return { key: `lives|${p.name}`, question: `Where does ${p.name} live?`, answer: `${p.name} lives near the ${p.home}.`, wrong: `${p.name} lives near the ${o.home}.` };
  },
  (rng) => {
    const p = rng.pick(PEOPLE), asked = rng.pick(PEOPLE).job, o = otherPerson(rng, p, (x) => x.job !== p.job);
    const yes = asked === p.job;
    const answer = yes ? `Yes. ${p.name} is ${article(p.job)} ${p.job}.` : `No. ${p.name} is ${article(p.job)} ${p.job}.`;
    const wrong = yes ? `No. ${p.name} is ${article(o.job)} ${o.job}.` : `Yes. ${p.name} is ${article(asked)} ${asked}.`;
    return { key: `is|${p.name}|${asked}`, question: `Is ${p.name} ${article(asked)} ${asked}?`, answer, wrong };
  },
  (rng) => {
    const p = rng.pick(PEOPLE), o = otherPerson(rng, p, () => true);
    return { key: `wholikes|${p.likes}`, question: `Who likes ${p.likes}?`, answer: `${p.name} likes ${p.likes}.`, wrong: `${o.name} likes ${p.likes}.` };
  },
  (rng) => {
    const a = rng.int(1, 9), b = rng.int(1, 9), plus = rng.next() < 0.5;
    const [x, y] = plus ? [a, b] : [Math.max(a, b), Math.min(a, b)];
    const op = plus ? "plus" : "minus", r = plus ? x + y : x - y;
    return { key: `arith|${op}`, question: `What is ${x} ${op} ${y}?`, answer: `${x} ${op} ${y} is ${r}.`, wrong: `${x} ${op} ${y} is ${r + 1}.` };
  },
];

/** Words that keep going with no end: what a reply that never reaches EOS looks like. */
function ramble(rng: Rng, answer: string): string {
  const words = answer.replace(/[.!?]/g, "").split(" ");
  const tail = Array.from({ length: rng.int(4, 8) }, () => rng.pick([...words, "and", "the", "so"]));
  return `${answer} ${answer} ${tail.join(" ")}`;
}

/** One chat item whose question falls in `split`; greetings stand alone or open a multi-turn chat. */
export function chatItem(rng: Rng, split: Split): TaskItem {
  const greetings = GREETINGS.filter(([g]) => splitOfKey(`chat|greet|${g}`) === "train");
  return drawInSplit(split, () => {
    if (rng.next() < 0.15) {
      const [hello, reply] = rng.pick(GREETINGS);
      return item(`chat|greet|${hello}`, [{ role: "user", content: hello }], reply, ramble(rng, reply), "rambling");
    }
    const qa = rng.pick(QUESTIONS)(rng);
    const messages: Message[] = [];
    if (rng.next() < 0.25) {
      // Greeting first: only training greetings, so a multi-turn prompt never contains an eval prompt.
      const [hello, reply] = rng.pick(greetings);
      messages.push({ role: "user", content: hello }, { role: "assistant", content: reply });
    }
    messages.push({ role: "user", content: qa.question });
    const rambles = rng.next() < 0.5;
    return item(`chat|${qa.key}`, messages, qa.answer, rambles ? ramble(rng, qa.answer) : qa.wrong, rambles ? "rambling" : "wrong");
  });
}

function item(key: string, messages: Message[], response: string, rejected: string, rejectedKind: TaskItem["rejectedKind"]): TaskItem {
  return { kind: "chat", key, messages, response, rejected, rejectedKind };
}
