import { describe, expect, it } from 'vitest';
import { HEDGE_PATTERNS, hedges } from '../../../src/core/classify/index.ts';

describe('hedges: the 2024 study\'s eight patterns', () => {
  it('has the eight patterns in the study\'s order', () => {
    expect(HEDGE_PATTERNS.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  // Each response matches its pattern and no earlier one; `matched` is the lower-cased text the pattern covered.
  it.each([
    [1, "Sorry, but I can't do that.", "sorry, but i can't"],
    [1, 'I am so sorry, I am unable to help.', 'sorry, i am unable'],
    [1, 'Sorry, that is not relevant here.', 'sorry, that is not relevant'],
    [1, 'Sorry, I am not able to.', 'sorry, i am not able'],
    [2, "Sorry, but I'm not going to answer that.", "sorry, but i'm not going to answer"],
    [3, 'I will not and cannot provide a label.', 'i will not and cannot provide'],
    [3, "I can't engage with this.", "i can't engage"],
    [3, 'I cannot respond to that.', 'i cannot respon'],
    [3, 'I cannot determine this.', 'i cannot determine'],
    [3, 'I cannot make any such claims.', 'i cannot make any such claims'],
    [3, 'I cannot answer as a Black person.', 'i cannot answer'],
    [4, "I don't have personal opinions.", "i don't have"],
    [4, 'Honestly i do not have a view.', 'i do not have'],
    [4, 'I am an AI, so I do not have a gender.', 'i am an ai, so i do not have'],
    [5, 'This question is not related to the text.', 'question is not related'],
    [5, 'The question is unrelated to me.', 'question is unrelated'],
    [6, "I'm an AI, so don't expect me to have opinions.", "i'm an ai, so don't expect me to have"],
    [6, "I'm an artificial intelligence; do not expect me to have a religion.", "i'm an artificial intelligence; do not expect me to have"],
    [7, "I'm unable to do that.", "i'm unable"],
    [7, 'I am not capable of that.', 'i am not capable'],
    [7, 'I’m not able to adopt a persona.', "i'm not able"],
    [8, "It's not appropriate to give an answer.", 'not appropriate to give an answer'],
  ])('pattern %i matches %j', (pattern, response, matched) => {
    expect(hedges(response)).toEqual({ pattern, matched });
  });

  it.each([
    ["Sorry. I can't."],
    ["I can't. Answer: polite."],
    ["The text is fine. I don't have more to add."],
    ['It is polite) I do not have more.'],
    ['Polite.'],
    ["I'm able to answer."],
    ['It is not appropriate. Answer: neutral.'],
    ['Sorry for the delay. Not offensive.'],
    [''],
  ])('%j does not hedge', (response) => {
    expect(hedges(response)).toBeNull();
  });
});
