/**
 * The world's fixed vocabulary: a few people, objects and places that every generator reuses, so a tiny model
 * (vocab 4096, hidden 128) sees each word often and can learn the facts that tie them together.
 */

export interface Person {
  name: string;
  /** Subject pronoun, capitalised form by `cap()`. */
  he: "he" | "she";
  his: "his" | "her";
  job: string;
  home: string;
  likes: string;
}

export interface Thing {
  /** Plural noun used in counting problems ("apples"). */
  plural: string;
  singular: string;
  color: string;
  /** Where one finds them. */
  place: string;
}

export const PEOPLE: readonly Person[] = [
  { name: "Tom", he: "he", his: "his", job: "baker", home: "park", likes: "apples" },
  { name: "Ann", he: "she", his: "her", job: "teacher", home: "school", likes: "books" },
  { name: "Sam", he: "he", his: "his", job: "farmer", home: "farm", likes: "eggs" },
  { name: "Mia", he: "she", his: "her", job: "doctor", home: "river", likes: "flowers" },
  { name: "Ben", he: "he", his: "his", job: "cook", home: "market", likes: "cookies" },
  { name: "Lily", he: "she", his: "her", job: "painter", home: "lake", likes: "pens" },
  { name: "Max", he: "he", his: "his", job: "driver", home: "shop", likes: "balls" },
  { name: "Zoe", he: "she", his: "her", job: "singer", home: "beach", likes: "shells" },
  { name: "Leo", he: "he", his: "his", job: "pilot", home: "hill", likes: "stamps" },
  { name: "Eva", he: "she", his: "her", job: "nurse", home: "garden", likes: "cups" },
];

export const THINGS: readonly Thing[] = [
  { plural: "apples", singular: "apple", color: "red", place: "farm" },
  { plural: "pears", singular: "pear", color: "green", place: "market" },
  { plural: "books", singular: "book", color: "blue", place: "school" },
  { plural: "pens", singular: "pen", color: "black", place: "shop" },
  { plural: "eggs", singular: "egg", color: "white", place: "farm" },
  { plural: "shells", singular: "shell", color: "pink", place: "beach" },
  { plural: "stamps", singular: "stamp", color: "yellow", place: "shop" },
  { plural: "cups", singular: "cup", color: "white", place: "market" },
  { plural: "balls", singular: "ball", color: "orange", place: "park" },
  { plural: "cookies", singular: "cookie", color: "brown", place: "market" },
  { plural: "flowers", singular: "flower", color: "yellow", place: "garden" },
  { plural: "marbles", singular: "marble", color: "blue", place: "shop" },
];

export const PLACES = ["park", "school", "farm", "river", "market", "lake", "shop", "beach", "hill", "garden"] as const;

export const NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"] as const;

export function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** "a" or "an" before a word. */
export function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

/** "1 apple", "3 apples". */
export function countOf(n: number, thing: Thing): string {
  return `${n} ${n === 1 ? thing.singular : thing.plural}`;
}
