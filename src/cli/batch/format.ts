// The OpenAI Batch file format as vLLM's `run-batch` and hosted batch services read and write it: one request per
// input line (`custom_id`, `method`, `url`, `body`), one result per output line (`id`, `custom_id`, `response`, `error`).
// vLLM: vllm/entrypoints/openai/run_batch.py (BatchRequestInput, BatchRequestOutput); OpenAI: the Batch API reference.
import { scrubAndClip } from '../../backends/errors.ts';
import { chatCompletionBody, completionBody, DEFAULT_MAX_RESPONSE_CHARS } from '../../backends/openai.ts';
import type { GenerateResult } from '../../backends/types.ts';
import type { PlanRow, StudyConfig } from '../../core/types.ts';

/** Which endpoint the requests go to: chat messages (the server applies the chat template), or a rendered prompt. */
export type EndpointKind = 'chat' | 'completions';

export type RequestEndpoint =
  | { kind: 'chat' }
  /** The prompt as the model's chat template renders the row, and the template's end-of-turn strings as `stop`. */
  | { kind: 'completions'; renderPrompt: (row: PlanRow) => string; stop: string[] };

export const ENDPOINT_URL: Record<EndpointKind, string> = { chat: '/v1/chat/completions', completions: '/v1/completions' };

/**
 * `${study}|${model}|${planKey}`: the row's stable key (model + plan key, as the results store it) prefixed with the
 * study id, so an output line names the study, the model and the row it answers, whatever file it arrives in.
 */
export function customId(study: string, model: string, rowKey: string): string {
  return `${study}|${model}|${rowKey}`;
}

export type ParsedCustomId = { ok: true; study: string; model: string; rowKey: string } | { ok: false };

/** The plan key is the last four `|` fields, the study the first; the model is what lies between. */
export function parseCustomId(id: string): ParsedCustomId {
  const parts = id.split('|');
  if (parts.length < 6) return { ok: false };
  const model = parts.slice(1, -4).join('|');
  if (parts[0] === '' || model === '') return { ok: false };
  return { ok: true, study: parts[0], model, rowKey: parts.slice(-4).join('|') };
}

export interface BatchRequestLine {
  custom_id: string;
  method: 'POST';
  url: string;
  body: Record<string, unknown>;
}

/** One input line: exactly the body `cli run` sends (model, messages, greedy temperature, seed, max_tokens), unstreamed. */
export function requestLine(
  row: PlanRow,
  ctx: { study: string; model: string; decoding: StudyConfig['decoding']; systemMessage?: StudyConfig['systemMessage']; endpoint: RequestEndpoint },
): BatchRequestLine {
  const request = { messages: row.messages, temperature: ctx.decoding.temperature, seed: ctx.decoding.seed, maxTokens: ctx.decoding.maxTokens, systemMessage: ctx.systemMessage };
  const body: Record<string, unknown> =
    ctx.endpoint.kind === 'chat'
      ? chatCompletionBody(ctx.model, request)
      : completionBody(ctx.model, ctx.endpoint.renderPrompt(row), ctx.endpoint.stop, request);
  return { custom_id: customId(ctx.study, ctx.model, row.key), method: 'POST', url: ENDPOINT_URL[ctx.endpoint.kind], body };
}

/** What one line of a batch output (or error) file says. */
export type OutputLine =
  | {
      kind: 'answer';
      customId: string;
      /** The line's own id (`vllm-…`, `batch_req_…`). */
      lineId?: string;
      requestId?: string;
      /** The model the server says answered (vLLM: its served model name). */
      servedModel?: string;
      result: GenerateResult;
    }
  | { kind: 'error'; customId: string; status: number | null; message: string }
  /** Not an output line: not JSON, or JSON without a custom_id. */
  | { kind: 'malformed'; reason: string }
  /** A line of a batch input file (method/url/body): the rows that were asked for. */
  | { kind: 'request'; customId: string };

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function errorMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const e = error as { message?: unknown; error?: unknown; code?: unknown };
    // vLLM's ErrorResponse nests {error: {message, type, code}}; OpenAI's error file has {code, message}.
    if (typeof e.message === 'string') return typeof e.code === 'string' ? `${e.code}: ${e.message}` : e.message;
    if (e.error !== undefined) return errorMessage(e.error);
  }
  return JSON.stringify(error);
}

/** Reads one line of a batch output or error file (vLLM and OpenAI formats); input lines are recognised too. */
export function parseOutputLine(text: string): OutputLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'malformed', reason: 'not a JSON object' };
  const line = value as Record<string, unknown>;
  const id = str(line.custom_id);
  if (id === undefined) return { kind: 'malformed', reason: 'no custom_id' };
  if ('method' in line && 'body' in line && !('response' in line)) return { kind: 'request', customId: id };
  const response = typeof line.response === 'object' && line.response !== null ? (line.response as Record<string, unknown>) : null;
  const status = typeof response?.status_code === 'number' ? response.status_code : null;
  // An error text is kept and shown: key-shaped tokens scrubbed from the whole of it, then cut, as the backends do.
  const failed = (message: string): OutputLine => ({ kind: 'error', customId: id, status, message: scrubAndClip(message, 300) });
  if (line.error !== undefined && line.error !== null) return failed(errorMessage(line.error));
  if (response === null) return failed('the line has neither a response nor an error');
  const body = typeof response.body === 'object' && response.body !== null ? (response.body as Record<string, unknown>) : null;
  if (status !== null && status !== 200) {
    return failed(body?.error !== undefined ? errorMessage(body.error) : `HTTP ${status}`);
  }
  const choice = Array.isArray(body?.choices) ? (body.choices[0] as Record<string, unknown> | undefined) : undefined;
  const message = typeof choice?.message === 'object' && choice.message !== null ? (choice.message as Record<string, unknown>) : null;
  // Chat completions put the text in message.content, completions in text.
  const content = str(message?.content) ?? str(choice?.text);
  if (content === undefined) return failed('the response has no choices[0].message.content');
  // As cli run: a reply without a finish reason may be cut short, and one over the size cap is not stored.
  if (typeof choice?.finish_reason !== 'string' || choice.finish_reason === '') return failed('the response has no finish reason, so it may be incomplete');
  if (content.length > DEFAULT_MAX_RESPONSE_CHARS) {
    return failed(`the reply is longer than ${DEFAULT_MAX_RESPONSE_CHARS} characters and was not stored; lower max_tokens or check the server's stop settings`);
  }
  const usage = typeof body?.usage === 'object' && body.usage !== null ? (body.usage as Record<string, unknown>) : null;
  const servedModel = str(body?.model);
  const lineId = str(line.id);
  const requestId = str(response.request_id);
  return {
    kind: 'answer',
    customId: id,
    ...(lineId !== undefined ? { lineId } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(servedModel !== undefined ? { servedModel } : {}),
    result: {
      text: content,
      promptTokens: typeof usage?.prompt_tokens === 'number' ? usage.prompt_tokens : null,
      completionTokens: typeof usage?.completion_tokens === 'number' ? usage.completion_tokens : null,
      // A batch runner reports no per-request latency.
      latencyMs: 0,
      finish: choice?.finish_reason === 'length' ? 'length' : 'stop',
    },
  };
}

/**
 * Splits serialised lines into files of at most `maxLines` lines and `maxBytes` bytes (UTF-8, newlines included), the
 * limits batch services put on one input file. Returns the line indices that start each file.
 */
export function splitPoints(lineBytes: readonly number[], maxLines: number, maxBytes: number): number[] {
  const starts: number[] = [];
  let lines = 0;
  let bytes = 0;
  lineBytes.forEach((size, i) => {
    if (size > maxBytes) throw new RangeError(`Request line ${i + 1} is ${size} bytes, more than --max-bytes ${maxBytes}: raise --max-bytes.`);
    if (i === 0 || lines + 1 > maxLines || bytes + size > maxBytes) {
      starts.push(i);
      lines = 0;
      bytes = 0;
    }
    lines++;
    bytes += size;
  });
  return starts;
}
