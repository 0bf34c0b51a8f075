// The endpoint bench's test server, in a process of its own (a real endpoint is another process, so the client's
// event loop should not also carry the server's work). Prints its URL on stdout; exits when stdin closes.
import { startTestServer } from '../test/support/openai-test-server.ts';

const [latencyMs, reply] = [Number(process.argv[2] ?? 100), process.argv[3] ?? 'polite'];
const server = await startTestServer({ latencyMs, reply: () => reply });
process.stdout.write(`${server.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
