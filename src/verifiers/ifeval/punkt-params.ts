/**
 * Parameters of NLTK's English Punkt model (nltk_data `tokenizers/punkt/english.pickle`, as
 * converted to `punkt_tab/english`; trained on WSJ text; Apache-2.0 via NLTK data): the learned
 * abbreviation types, collocations and frequent sentence starters, complete; and the orthographic
 * context of most frequent word types (see below).
 */

import { LOWER_AND_MID_UPPER, LOWER_NO_MID_UPPER } from "./punkt-ortho.js";

function words(lines: readonly string[]): string[] {
  return lines.join(" ").split(" ").filter((w) => w.length > 0);
}

/** Abbreviation types (lower case, without the final period). The model also holds ". . " (a spaced ellipsis). */
export const ABBREV_TYPES: ReadonlySet<string> = new Set([
  ...words([
    "ct m.j t a.c n.h ms p.a.m dr pa p.m u.k st dec u.s.a lt g.k adm p h.m ga tenn yr sen n.c j.j d.h s.g inc vs",
    "s.p.a a.t n feb sr jan s.a.y n.y col g.f c.o.m.b d ft va r.k e.f chg r.i a.g minn a.h k n.j m l.f f.j gen",
    "i.m.s s.a aug j.p okla m.d.c ltd oct s vt r.a j.c ariz w.w b.v ore h w.r e.h mrs cie corp w n.v a.d r.j ok e.m",
    "w.c ill nov u.s prof conn u.s.s.r mg f.g ph.d g calif messrs h.f wash tues sw bros u.n l wis mr sep d.c ave",
    "e.l co s.s reps c r.t h.c r wed a.s v fla jr r.h c.v m.b.a rep a.a e c.i.t l.a b.f j.b d.w j.k ala f w.va sept",
    "mich n.m j.r l.p s.c colo fri a.m g.d kan maj ky a.m.e n.d t.j cos nev",
  ]),
  ". . ",
]);

/** (type before the period, next type) pairs, joined by a space. */
export const COLLOCATIONS: ReadonlySet<string> = new Set(
  words([
    "##number##|international ##number##|rj ##number##|commodities ##number##|cooper b|stewart ##number##|genentech",
    "##number##|wedgestone i|toussie ##number##|pepper j|fialka o|ludcke ##number##|insider ##number##|aes i|magnin",
    "##number##|credit ##number##|corrections ##number##|financing ##number##|henley ##number##|business",
    "##number##|pay-fone b|wigton b|edelman b|levine ##number##|leisure b|smith j|walter ##number##|pegasus",
    "##number##|dividend j|aron ##number##|review ##number##|abreast ##number##|who ##number##|letters",
    "##number##|colgate ##number##|cbot ##number##|notable ##number##|zimmer",
  ]).map((pair) => pair.replace("|", " ")),
);

/** Frequent sentence starters (lower case). */
export const SENT_STARTERS: ReadonlySet<string> = new Set(
  words([
    "most he since so both these it nevertheless this indeed however instead under similarly some though while when",
    "in despite although nonetheless thus there if the nor separately moreover but they yet many according sales",
    "among meanwhile even i",
  ]),
);

/**
 * Orthographic context of word types: the English model records, per type, where it was seen
 * (bits: 2/4/8 upper-case at a sentence start / mid-sentence / unknown position, 16/32/64 the same
 * in lower case). Punkt only asks three questions of them, so types are stored by class:
 * LOWER_NO_MID_UPPER reads as 32 (seen in lower case, never capitalised mid-sentence),
 * LOWER_AND_MID_UPPER as 36 (also capitalised mid-sentence), LOWER_START_NEVER_UPPER as 48 (seen
 * lower-case at a sentence start, never capitalised). Types never seen in lower case (mostly
 * proper names) read 0, like types absent from the model.
 *
 * Coverage: the model holds about 27,000 types, of which about 14,700 were ever seen in lower
 * case; all of those are carried (transcribed from punkt_tab/english/ortho_context.tab, so a rare
 * transcription slip is possible; it would only matter for a word right after an initial, a known
 * abbreviation or an ellipsis).
 */
const LOWER_START_NEVER_UPPER = ["administrators b-week r-revised z-holiday"];

const ORTHO_CONTEXT: ReadonlyMap<string, number> = new Map<string, number>([
  ...words(LOWER_NO_MID_UPPER).map((w): [string, number] => [w, 32]),
  ...words(LOWER_AND_MID_UPPER).map((w): [string, number] => [w, 36]),
  ...words(LOWER_START_NEVER_UPPER).map((w): [string, number] => [w, 48]),
]);

/** Orthographic context flags of a type (0 where the model has none we carry). */
export function orthoContext(type: string): number {
  return ORTHO_CONTEXT.get(type) ?? 0;
}
