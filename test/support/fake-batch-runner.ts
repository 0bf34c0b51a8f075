// A stand-in for `vllm run-batch` (and for an OpenAI-format batch service) in tests: reads batch input JSONL and
// writes the output file the way vLLM does (vllm/entrypoints/openai/run_batch.py: BatchRequestOutput lines, errors in
// the same file) or the way OpenAI does (failed requests in a separate error file). Replies are the ones the local
// OpenAI test server gives for the same body, so a batch and `cli run` against that server can be compared row by row.
import { readFileSync, writeFileSync } from 'node:fs';
import { defaultReply, tokenize, type ChatRequestBody } from './openai-test-server.ts';

export interface FakeBatchOptions {
  /** Input files, in order (their lines are answered in this order). */
  inputs: string[];
  /** The output file to write. */
  output: string;
  /** 'vllm' (default): errors are lines of the output file. 'openai': errors go to `errorOutput`. */
  format?: 'vllm' | 'openai';
  errorOutput?: string;
  /** custom_ids answered with an error (vLLM: status 400 and an error string; OpenAI: status 500 with an error body). */
  fail?: ReadonlySet<string>;
  /** custom_ids left out of the output altogether (a runner that lost them). */
  drop?: ReadonlySet<string>;
  /** Extra output lines appended as they are (foreign custom_ids and the like). */
  extraLines?: unknown[];
  /** Cut the output file this many bytes before its end (an interrupted download). */
  truncateBytes?: number;
  /** The model name the server reports (vLLM: --served-model-name); default the request's body.model. */
  servedModel?: string;
}

interface InputLine {
  custom_id: string;
  method: string;
  url: string;
  body: ChatRequestBody & { prompt?: string; stop?: string[] };
}

/** Runs the fake batch; returns how many lines went to the output and error files. */
export function runFakeBatch(options: FakeBatchOptions): { answered: number; failed: number; dropped: number } {
  const format = options.format ?? 'vllm';
  const out: string[] = [];
  const errors: string[] = [];
  let answered = 0;
  let failed = 0;
  let dropped = 0;
  let n = 0;
  for (const input of options.inputs) {
    for (const text of readFileSync(input, 'utf8').split('\n')) {
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as InputLine;
      n++;
      if (options.drop?.has(line.custom_id)) {
        dropped++;
        continue;
      }
      const chat = line.url === '/v1/chat/completions';
      if (line.method !== 'POST' || (!chat && line.url !== '/v1/completions')) throw new Error(`fake batch runner: unsupported ${line.method} ${line.url}`);
      if ((line.body as { stream?: unknown }).stream) throw new Error('fake batch runner: a batch request must not ask for streaming');
      if (options.fail?.has(line.custom_id)) {
        failed++;
        if (format === 'vllm') {
          out.push(JSON.stringify({ id: `vllm-${n}`, custom_id: line.custom_id, response: { status_code: 400, request_id: `vllm-batch-${n}`, body: null }, error: 'CUDA out of memory while processing the request' }));
        } else {
          errors.push(JSON.stringify({ id: `batch_req_${n}`, custom_id: line.custom_id, response: { status_code: 500, request_id: `req_${n}`, body: { error: { message: 'The server had an error processing your request.', type: 'server_error', code: null } } }, error: null }));
        }
        continue;
      }
      // A rendered prompt is answered as if it were the user's message.
      const asked: ChatRequestBody = chat ? line.body : { ...line.body, messages: [{ role: 'user', content: line.body.prompt ?? '' }] };
      const allTokens = tokenize(defaultReply(asked));
      const tokens = allTokens.slice(0, line.body.max_tokens ?? Infinity);
      const promptTokens = tokenize((asked.messages ?? []).map((m) => m.content).join(' ')).length;
      const finish = tokens.length < allTokens.length ? 'length' : 'stop';
      const body = {
        id: `${chat ? 'chatcmpl' : 'cmpl'}-${n}`,
        object: chat ? 'chat.completion' : 'text_completion',
        created: 0,
        model: options.servedModel ?? line.body.model,
        choices: [
          chat
            ? { index: 0, message: { role: 'assistant', content: tokens.join('') }, finish_reason: finish, logprobs: null }
            : { index: 0, text: tokens.join(''), finish_reason: finish, logprobs: null },
        ],
        usage: { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length },
      };
      const id = format === 'vllm' ? `vllm-${n}` : `batch_req_${n}`;
      const requestId = format === 'vllm' ? `vllm-batch-${n}` : `req_${n}`;
      out.push(JSON.stringify({ id, custom_id: line.custom_id, response: { status_code: 200, request_id: requestId, body }, error: null }));
      answered++;
    }
  }
  for (const extra of options.extraLines ?? []) out.push(JSON.stringify(extra));
  let text = out.map((l) => l + '\n').join('');
  if (options.truncateBytes) text = text.slice(0, text.length - options.truncateBytes);
  writeFileSync(options.output, text);
  if (format === 'openai' && options.errorOutput) writeFileSync(options.errorOutput, errors.map((l) => l + '\n').join(''));
  return { answered, failed, dropped };
}
