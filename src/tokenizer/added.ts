/** An added token as tokenizer.json lists it (`added_tokens`). */
export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  normalized: boolean;
}

/** A stretch of the input: either plain text for the pre-tokenizer or one added token. */
export interface Section {
  start: number;
  end: number;
  addedId?: number;
}

/**
 * Find added tokens in raw text the way HF's `AddedVocabulary` does: leftmost-longest matching (aho-corasick
 * `MatchKind::LeftmostLongest`), first for tokens with `normalized: false`, then, inside the remaining text, for tokens
 * with `normalized: true` (the same text here, since only tokenizers without a normalizer are supported).
 */
export class AddedTokenSplitter {
  private readonly passes: Map<string, AddedToken[]>[];

  constructor(tokens: readonly AddedToken[]) {
    this.passes = [tokens.filter((t) => !t.normalized), tokens.filter((t) => t.normalized)]
      .filter((list) => list.length > 0)
      .map(byFirstChar);
  }

  split(text: string): Section[] {
    let sections: Section[] = [{ start: 0, end: text.length }];
    for (const index of this.passes) {
      sections = sections.flatMap((s) => (s.addedId !== undefined ? [s] : splitOnce(text, s.start, s.end, index)));
    }
    return sections;
  }
}

/** Buckets tokens by first UTF-16 unit, longest first, so the first hit at a position is the longest. */
function byFirstChar(tokens: AddedToken[]): Map<string, AddedToken[]> {
  const index = new Map<string, AddedToken[]>();
  for (const t of tokens) {
    if (t.content.length === 0) continue;
    const bucket = index.get(t.content[0]!) ?? [];
    bucket.push(t);
    index.set(t.content[0]!, bucket);
  }
  for (const bucket of index.values()) bucket.sort((a, b) => b.content.length - a.content.length);
  return index;
}

function splitOnce(text: string, start: number, end: number, index: Map<string, AddedToken[]>): Section[] {
  const out: Section[] = [];
  let plainStart = start;
  let i = start;
  while (i < end) {
    const hit = index.get(text[i]!)?.find((t) => i + t.content.length <= end && text.startsWith(t.content, i));
    if (!hit) {
      i++;
      continue;
    }
    if (i > plainStart) out.push({ start: plainStart, end: i });
    out.push({ start: i, end: i + hit.content.length, addedId: hit.id });
    i += hit.content.length;
    plainStart = i;
  }
  if (end > plainStart) out.push({ start: plainStart, end });
  return out;
}
