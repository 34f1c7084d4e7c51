/**
 * IFEval-style prompts: a simple task from the world plus one or two of Google IFEval's instructions (same ids
 * and kwargs names), a compliant reply, and a reply that breaks one of the instructions.
 *
 * A reply is rendered from a Draft (its sentences plus switches: bullets, JSON, title, ...). Each instruction
 * sets the switches its compliance needs and knows how to break them. Kwargs that depend on the final text
 * (word and sentence limits, forbidden words) are set after rendering, with a margin where the verifier's
 * tokenizer (NLTK punkt for sentences) might count differently from this file.
 */
import type { Rng } from "../../rng.js";
import { normalizeForLeakage } from "../contamination.js";
import { drawInSplit, type IfevalSpec, type Split, type TaskItem } from "./item.js";
import { topicFor, type Fact, type Topic } from "./topics.js";
import { PLACES, THINGS } from "./vocab.js";

interface Draft {
  sentences: string[];
  placeholder?: string;
  bullets: boolean;
  json: boolean;
  title?: string;
  postscript?: string;
  endPhrase?: string;
  quotes: boolean;
  lowercase: boolean;
  /** Starts the first sentence with "Yes, " (breaks no_comma). */
  comma: boolean;
}

function render(d: Draft): string {
  const lines = d.placeholder ? [...d.sentences, d.placeholder] : [...d.sentences];
  if (d.comma && lines.length > 0) lines[0] = `Yes, ${lines[0]!.charAt(0).toLowerCase()}${lines[0]!.slice(1)}`;
  let text = d.bullets ? lines.map((l) => `* ${l}`).join("\n") : lines.join(" ");
  if (d.json) text = JSON.stringify({ answer: text });
  if (d.title) text = `<<${d.title}>>\n${text}`;
  if (d.postscript) text += `\nP.S. ${d.postscript}`;
  if (d.endPhrase) text += `\n${d.endPhrase}`;
  if (d.quotes) text = `"${text}"`;
  return d.lowercase ? text.toLowerCase() : text;
}

/** Words as the verifier counts them (NLTK's RegexpTokenizer(r"\w+")). */
export function countWords(text: string): number {
  return text.match(/\w+/g)?.length ?? 0;
}

/** Sentences as ends of . ! ? (punkt may differ by one on titles and lists; callers keep a margin). */
function countSentences(text: string): number {
  return text.match(/[.!?]+(?=\s|"|$)/g)?.length ?? 0;
}

interface Ctx {
  rng: Rng;
  topic: Topic;
  /** The facts the reply states (draft.sentences starts as their texts). */
  facts: Fact[];
  draft: Draft;
}

interface Instruction {
  id: string;
  /** Ids this one cannot be combined with. */
  conflicts: string[];
  /** Makes the draft comply; returns what the prompt says and the kwargs that do not depend on the final text. */
  comply(ctx: Ctx): { text: string; kwargs: Record<string, unknown> };
  /** Kwargs and prompt text fixed once the compliant reply exists (length limits, forbidden words). */
  finish?(ctx: Ctx, response: string, kwargs: Record<string, unknown>): string;
  /** Breaks this instruction in a copy of the compliant draft. */
  violate(ctx: Ctx, draft: Draft, kwargs: Record<string, unknown>): void;
}

const FILLERS = ["It is a nice day.", "The sun is out.", "Birds sing in the trees.", "The sky is blue today.", "We walk home slowly."];
const END_PHRASES = ["Is there anything else I can help with?", "Have a nice day.", "That is all.", "Thank you for reading."];
const PLACEHOLDERS = ["Write to me at [address].", "Call me on [day] at [time].", "Meet me at [place] with [name]."];

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function quoteList(words: string[], joiner: string): string {
  return words.map((w) => `"${w}"`).join(` ${joiner} `);
}

const INSTRUCTIONS: Instruction[] = [
  {
    id: "change_case:english_lowercase",
    conflicts: ["detectable_format:json_format"],
    comply: ({ draft }) => ((draft.lowercase = true), { text: "Use only lowercase letters.", kwargs: {} }),
    violate: (_ctx, d) => void (d.lowercase = false),
  },
  {
    id: "keywords:existence",
    conflicts: [],
    comply({ rng, facts }) {
      const keywords = rng.shuffle([...new Set(facts.map((f) => f.keyword))]).slice(0, rng.int(1, 2));
      const text = `Include the ${plural(keywords.length, "word")} ${quoteList(keywords, "and")}.`;
      return { text, kwargs: { keywords } };
    },
    violate({ topic }, d, kwargs) {
      // Keep only what never mentions a keyword (the check is a case-insensitive substring search).
      const keywords = kwargs.keywords as string[];
      const clean = (s: string) => !keywords.some((k) => s.toLowerCase().includes(k.toLowerCase()));
      d.sentences = d.sentences.filter(clean);
      if (d.sentences.length === 0) d.sentences = FILLERS.filter(clean).slice(0, 2);
      if (d.title && !clean(d.title)) d.title = topic.fallbackTitle;
      if (d.postscript && !clean(d.postscript)) d.postscript = undefined;
    },
  },
  {
    id: "keywords:forbidden_words",
    conflicts: [],
    comply: () => ({ text: "", kwargs: {} }),
    finish({ rng }, response, kwargs) {
      const present = new Set(response.toLowerCase().match(/\w+/g) ?? []);
      const candidates = [...THINGS.map((t) => t.plural), ...PLACES].filter((w) => !present.has(w));
      const words = rng.shuffle([...new Set(candidates)]).slice(0, rng.int(1, 2));
      kwargs.forbidden_words = words;
      return `Do not use the ${plural(words.length, "word")} ${quoteList(words, "or")}.`;
    },
    violate: (_ctx, d, kwargs) => void d.sentences.push(`I also like the ${(kwargs.forbidden_words as string[])[0]}.`),
  },
  {
    id: "detectable_format:number_bullet_lists",
    conflicts: ["detectable_format:json_format", "startend:quotation", "length_constraints:number_sentences"],
    comply: ({ draft }) => ((draft.bullets = true), { text: "", kwargs: {} }),
    finish({ draft }, _response, kwargs) {
      // Counted once every instruction has shaped the draft (a placeholder adds a line).
      const n = draft.sentences.length + (draft.placeholder ? 1 : 0);
      kwargs.num_bullets = n;
      return `Answer with exactly ${n} bullet ${plural(n, "point")} that start with *.`;
    },
    violate: (ctx, d) => void (d.sentences.length > 1 ? d.sentences.pop() : d.sentences.push(ctx.rng.pick(FILLERS))),
  },
  {
    id: "startend:end_checker",
    conflicts: ["detectable_format:json_format", "startend:quotation"],
    comply({ rng, draft }) {
      draft.endPhrase = rng.pick(END_PHRASES);
      return { text: `End your answer with "${draft.endPhrase}"`, kwargs: { end_phrase: draft.endPhrase } };
    },
    violate: (_ctx, d) => void (d.endPhrase = undefined),
  },
  {
    id: "detectable_format:json_format",
    conflicts: [],
    comply: ({ draft }) => ((draft.json = true), { text: "Wrap your whole answer in JSON.", kwargs: {} }),
    violate: (_ctx, d) => void (d.json = false),
  },
  {
    id: "length_constraints:number_words",
    conflicts: [],
    comply: ({ rng }) => ({ text: "", kwargs: { relation: rng.next() < 0.5 ? "less than" : "at least" } }),
    finish({ rng }, response, kwargs) {
      const words = countWords(response);
      const n = kwargs.relation === "less than" ? words + rng.int(1, 5) : Math.max(1, words - rng.int(0, 3));
      kwargs.num_words = n;
      return `Answer in ${kwargs.relation} ${n} words.`;
    },
    violate(_ctx, d, kwargs) {
      const n = kwargs.num_words as number;
      if (kwargs.relation === "less than") {
        for (let i = 0; countWords(render(d)) < n; i++) d.sentences.push(FILLERS[i % FILLERS.length]!);
      } else {
        // Too short: the opening words of the reply, nothing else, cut until under the limit.
        const words = d.sentences.join(" ").split(" ");
        Object.assign(d, { placeholder: undefined, title: undefined, postscript: undefined, endPhrase: undefined });
        let keep = words.length;
        do d.sentences = [words.slice(0, --keep).join(" ")];
        while (keep > 1 && countWords(render(d)) >= n);
      }
    },
  },
  {
    id: "length_constraints:number_sentences",
    conflicts: ["detectable_format:title", "detectable_content:postscript", "detectable_format:json_format"],
    comply: ({ rng }) => ({ text: "", kwargs: { relation: rng.next() < 0.5 ? "less than" : "at least" } }),
    finish({ rng }, response, kwargs) {
      const count = countSentences(response);
      // A margin of one either way: punkt and this counter may disagree by one sentence.
      const n = kwargs.relation === "less than" ? count + rng.int(2, 3) : Math.max(3, count - 1);
      kwargs.num_sentences = n;
      return `Answer in ${kwargs.relation} ${n} sentences.`;
    },
    violate(_ctx, d, kwargs) {
      const n = kwargs.num_sentences as number;
      if (kwargs.relation === "less than") {
        for (let i = 0; countSentences(render(d)) <= n; i++) d.sentences.push(FILLERS[i % FILLERS.length]!);
      } else {
        Object.assign(d, { sentences: d.sentences.slice(0, 1), placeholder: undefined, endPhrase: undefined });
      }
    },
  },
  {
    id: "detectable_content:number_placeholders",
    conflicts: [],
    comply({ rng, draft }) {
      draft.placeholder = rng.pick(PLACEHOLDERS);
      const n = draft.placeholder.match(/\[/g)!.length;
      return { text: `Include at least ${n} ${plural(n, "placeholder")} in square brackets like [name].`, kwargs: { num_placeholders: n } };
    },
    violate: (_ctx, d) => void (d.placeholder = undefined),
  },
  {
    id: "punctuation:no_comma",
    conflicts: [],
    comply: () => ({ text: "Do not use any commas.", kwargs: {} }),
    violate: (_ctx, d) => void (d.comma = true),
  },
  {
    id: "startend:quotation",
    conflicts: ["detectable_format:json_format"],
    comply: ({ draft }) => ((draft.quotes = true), { text: "Wrap your whole answer in double quotes.", kwargs: {} }),
    violate: (_ctx, d) => void (d.quotes = false),
  },
  {
    id: "detectable_format:title",
    conflicts: ["detectable_format:json_format"],
    comply: ({ topic, draft }) => ((draft.title = topic.title), { text: "Give your answer a title in double angle brackets like <<title>>.", kwargs: {} }),
    violate: (_ctx, d) => void (d.title = undefined),
  },
  {
    id: "detectable_content:postscript",
    conflicts: ["detectable_format:json_format"],
    comply({ topic, draft }) {
      draft.postscript = topic.postscript;
      return { text: "Add a postscript at the end that starts with P.S.", kwargs: { postscript_marker: "P.S." } };
    },
    violate: (_ctx, d) => void (d.postscript = undefined),
  },
];

function compatible(a: Instruction, b: Instruction): boolean {
  return a.id !== b.id && !a.conflicts.includes(b.id) && !b.conflicts.includes(a.id);
}

/** One to two compatible instructions; the order is the prompt's. */
function chooseInstructions(rng: Rng): Instruction[] {
  const first = rng.pick(INSTRUCTIONS);
  if (rng.next() < 0.55) return [first];
  return [first, rng.pick(INSTRUCTIONS.filter((i) => compatible(first, i)))];
}

/** The first fact (it introduces the subject) and n - 1 others, in their story order. */
function pickFacts(rng: Rng, facts: Fact[], n: number): Fact[] {
  const rest = rng.shuffle(facts.slice(1).map((_, i) => i + 1)).slice(0, n - 1).sort((a, b) => a - b);
  return [facts[0]!, ...rest.map((i) => facts[i]!)];
}

/** One IFEval-style item whose prompt falls in `split`. */
export function ifevalItem(rng: Rng, split: Split): TaskItem {
  return drawInSplit(split, () => {
    const instructions = chooseInstructions(rng);
    // Length limits need room on both sides; lowercase replies are also checked by langdetect, which calls
    // some two-sentence replies Estonian or Albanian but every four-fact reply English (0 of 3000 sampled).
    const needsFour = instructions.some((i) => i.id.startsWith("length_constraints") || i.id === "change_case:english_lowercase");
    const topic = topicFor(rng);
    const facts = pickFacts(rng, topic.facts, needsFour ? 4 : rng.int(2, 4));
    const draft: Draft = {
      sentences: facts.map((f) => f.text),
      bullets: false,
      json: false,
      quotes: false,
      lowercase: false,
      comma: false,
    };
    const ctx: Ctx = { rng, topic, facts, draft };
    const parts = instructions.map((ins) => ins.comply(ctx));
    const response = render(draft);
    const texts = instructions.map((ins, i) => ins.finish?.(ctx, response, parts[i]!.kwargs) ?? parts[i]!.text);
    const spec: IfevalSpec = { instruction_id_list: instructions.map((i) => i.id), kwargs: parts.map((p) => p.kwargs) };
    const broken = rng.int(0, instructions.length - 1);
    const bad: Draft = { ...draft, sentences: [...draft.sentences] };
    instructions[broken]!.violate(ctx, bad, parts[broken]!.kwargs);
    const prompt = [topic.task, ...texts].join(" ");
    return {
      kind: "ifeval",
      // Task plus first instruction: a prompt that extends another (one more instruction) shares its split.
      key: `if|${normalizeForLeakage(`${topic.task} ${texts[0]}`)}`,
      messages: [{ role: "user", content: prompt }],
      response,
      rejected: render(bad),
      rejectedKind: "noncompliant",
      ifeval: spec,
    };
  });
}
