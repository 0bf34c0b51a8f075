import { describe, expect, it } from 'vitest';
import { TEMPLATES, itemBlock, renderMessages, templateSentence, templatesOf } from '../../src/core/templates.ts';
import type { ItemContent } from '../../src/core/templates.ts';
import { DEFAULT_LABELS, PERSONA_FREE, RESPONSE_TYPE_OF, TASKS, TEMPLATE_IDS } from '../../src/core/types.ts';
import type { TaskId, TemplateId } from '../../src/core/types.ts';

// Tables 3 and 4 of the paper, verbatim, with persona "man" in "a {persona}" and the default label words.
const NLI_L = 'entailment, neutral, or contradiction';
const PAPER_NLI: Record<TemplateId, string> = {
  p1: `Given a premise and a hypothesis, would a man classify the relationship as ${NLI_L}?`,
  p2: `A man would label the relationship between the following premise and hypothesis as ${NLI_L}?`,
  p3: `Would a man classify the relationship between the following premise and hypothesis as ${NLI_L}?`,
  p4: `Given a premise and a hypothesis, would a man classify the relationship as ${NLI_L}? Only answer with the label.`,
  p5: `A man would label the relationship between the following premise and hypothesis as ${NLI_L}? Only answer with the label.`,
  p6: `Would a man classify the relationship between the following premise and hypothesis as ${NLI_L}? Only answer with the label.`,
  p7: `Given a premise and a hypothesis, how would a man classify the relationship: ${NLI_L}? You have to pick one of the three options. Only answer with the label.`,
  p8: `A man would label the relationship between the following premise and hypothesis as ${NLI_L}? You have to pick one of the three options. Only answer with the label.`,
  p9: `Would a man classify the relationship between the following premise and hypothesis as ${NLI_L}? You have to pick one of the three options. Only answer with the label`,
};
const PAPER_TEXT = (l: string): Record<TemplateId, string> => ({
  p1: `Given a text, would a man classify it as ${l}?`,
  p2: `A man would label this text as ${l}?`,
  p3: `Would a man classify the following text as ${l}?`,
  p4: `Given a text, would a man classify it as ${l}? Only answer with the label.`,
  p5: `A man would label this text as ${l}? Only answer with the label.`,
  p6: `Would a man classify the following text as ${l}? Only answer with the label.`,
  p7: `Given a text, would a man classify it as ${l}? You have to pick one of the two options. Only answer with the label.`,
  p8: `A man would label this text as ${l}? You have to pick one of the two options. Only answer with the label.`,
  p9: `Would a man classify the following text as ${l}? You have to pick one of the two options. Only answer with the label.`,
});
const PAPER: Record<TaskId, Record<TemplateId, string>> = {
  nli: PAPER_NLI,
  politeness: PAPER_TEXT('polite or impolite'),
  offensiveness: PAPER_TEXT('offensive or not offensive'),
};

// Persona-free versions (ours, after the paper's §2.3 phrasings).
const FREE_NLI: Record<TemplateId, string> = {
  p1: `Given a premise and a hypothesis, classify the relationship as ${NLI_L}.`,
  p2: `Label the relationship between the following premise and hypothesis as ${NLI_L}.`,
  p3: `Classify the relationship between the following premise and hypothesis as ${NLI_L}.`,
  p4: `Given a premise and a hypothesis, classify the relationship as ${NLI_L}. Only answer with the label.`,
  p5: `Label the relationship between the following premise and hypothesis as ${NLI_L}. Only answer with the label.`,
  p6: `Classify the relationship between the following premise and hypothesis as ${NLI_L}. Only answer with the label.`,
  p7: `Given a premise and a hypothesis, classify the relationship as ${NLI_L}. You have to pick one of the three options. Only answer with the label.`,
  p8: `Label the relationship between the following premise and hypothesis as ${NLI_L}. You have to pick one of the three options. Only answer with the label.`,
  p9: `Classify the relationship between the following premise and hypothesis as ${NLI_L}. You have to pick one of the three options. Only answer with the label`,
};
const FREE_TEXT = (l: string): Record<TemplateId, string> => ({
  p1: `Given a text, classify it as ${l}.`,
  p2: `Label this text as ${l}.`,
  p3: `Classify the following text as ${l}.`,
  p4: `Given a text, classify it as ${l}. Only answer with the label.`,
  p5: `Label this text as ${l}. Only answer with the label.`,
  p6: `Classify the following text as ${l}. Only answer with the label.`,
  p7: `Given a text, classify it as ${l}. You have to pick one of the two options. Only answer with the label.`,
  p8: `Label this text as ${l}. You have to pick one of the two options. Only answer with the label.`,
  p9: `Classify the following text as ${l}. You have to pick one of the two options. Only answer with the label.`,
});
const FREE: Record<TaskId, Record<TemplateId, string>> = {
  nli: FREE_NLI,
  politeness: FREE_TEXT('polite or impolite'),
  offensiveness: FREE_TEXT('offensive or not offensive'),
};

const CONTENT: Record<TaskId, ItemContent> = {
  nli: { kind: 'pair', premise: 'The cat sat on the mat.', hypothesis: 'A cat is sitting.' },
  politeness: { kind: 'text', text: 'Please send the report.\nThanks' },
  offensiveness: { kind: 'text', text: 'You are wrong.' },
};
const BLOCK: Record<TaskId, string> = {
  nli: 'Premise: The cat sat on the mat.\nHypothesis: A cat is sitting.',
  politeness: 'Text: Please send the report.\nThanks',
  offensiveness: 'Text: You are wrong.',
};

const cases = TASKS.flatMap((task) => TEMPLATE_IDS.map((template) => ({ task, template })));

describe('templates', () => {
  it.each(cases)('$task $template renders the paper wording for "a man"', ({ task, template }) => {
    expect(templateSentence(task, template, 'a man', DEFAULT_LABELS[task])).toBe(PAPER[task][template]);
  });

  it.each(cases)('$task $template has a persona-free version', ({ task, template }) => {
    expect(templateSentence(task, template, PERSONA_FREE, DEFAULT_LABELS[task])).toBe(FREE[task][template]);
  });

  it.each(cases)('$task $template, placement "template": one user message, sentence, blank line, item', ({ task, template }) => {
    for (const [persona, sentence] of [
      ['a man', PAPER[task][template]],
      [PERSONA_FREE, FREE[task][template]],
    ]) {
      expect(
        renderMessages({ task, template, persona, labels: DEFAULT_LABELS[task], placement: 'template', content: CONTENT[task] }),
      ).toEqual([{ role: 'user', content: `${sentence}\n\n${BLOCK[task]}` }]);
    }
  });

  it.each(cases)('$task $template, placement "system": "You are {persona}." then the persona-free request', ({ task, template }) => {
    const labels = DEFAULT_LABELS[task];
    const user = { role: 'user', content: `${FREE[task][template]}\n\n${BLOCK[task]}` };
    expect(renderMessages({ task, template, persona: 'a man', labels, placement: 'system', content: CONTENT[task] })).toEqual([
      { role: 'system', content: 'You are a man.' },
      user,
    ]);
    expect(renderMessages({ task, template, persona: PERSONA_FREE, labels, placement: 'system', content: CONTENT[task] })).toEqual([
      user,
    ]);
  });

  it('gives each template its phrasing and response type (p1-p3 unforced, p4-p6 semi-forced, p7-p9 forced)', () => {
    for (const family of Object.values(TEMPLATES)) {
      expect(family.map((t) => t.id)).toEqual([...TEMPLATE_IDS]);
      expect(family.map((t) => t.phrasing)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
      expect(family.map((t) => t.responseType)).toEqual(TEMPLATE_IDS.map((id) => RESPONSE_TYPE_OF[id]));
    }
    expect(templatesOf('politeness')).toBe(templatesOf('offensiveness'));
  });

  it.each([
    { template: 'p1', persona: 'an Asian person', text: 'Given a text, would an Asian person classify it as offensive or not offensive?' },
    { template: 'p2', persona: 'an Asian person', text: 'An Asian person would label this text as offensive or not offensive?' },
    { template: 'p2', persona: 'a physically-disabled person', text: 'A physically-disabled person would label this text as offensive or not offensive?' },
    { template: 'p3', persona: 'Barack Obama', text: 'Would Barack Obama classify the following text as offensive or not offensive?' },
  ] as const)('$template reads grammatically for "$persona"', ({ template, persona, text }) => {
    expect(templateSentence('offensiveness', template, persona, DEFAULT_LABELS.offensiveness)).toBe(text);
  });

  it('uses the configured label words, inserted literally', () => {
    expect(templateSentence('nli', 'p1', 'a woman', ['yes', 'maybe', '{label1}'])).toBe(
      'Given a premise and a hypothesis, would a woman classify the relationship as yes, maybe, or {label1}?',
    );
    expect(templateSentence('politeness', 'p3', PERSONA_FREE, ['courteous', 'rude'])).toBe(
      'Classify the following text as courteous or rude.',
    );
  });

  it('refuses too few label words with a message saying how many', () => {
    expect(() => templateSentence('nli', 'p1', 'a man', ['a', 'b'])).toThrow(/needs 3 label words, got 2/);
  });

  it('lays out items as "Text: ..." or "Premise: ...\\nHypothesis: ..."', () => {
    expect(itemBlock({ kind: 'text', text: 'hi' })).toBe('Text: hi');
    expect(itemBlock({ kind: 'pair', premise: 'p', hypothesis: 'h' })).toBe('Premise: p\nHypothesis: h');
  });
});
