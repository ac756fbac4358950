import { nearest } from '../config/suggest.js';

/** `; did you mean "x"?` when a candidate is close enough to be the intended one, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const guess = nearest(word, candidates);
  return guess !== null && guess !== word ? `; did you mean "${guess}"?` : '';
}
