// A connector for tests: an HTTP receiver of the portal's fulfilment webhooks that checks
// every signature with the Standard Webhooks library (npm `standardwebhooks`) and accepts each
// webhook-id once, as a real receiver's idempotency check would.
//
//   node tests/webhook-receiver.mjs --secret whsec_... [--port 0] [--refuse 403]
//
// Prints "listening on http://127.0.0.1:PORT" once ready. POST any path delivers an event;
// GET /received answers what was accepted: { accepted: [{ id, event }], duplicates, badSignatures }.
// With --refuse STATUS every valid event is answered STATUS "unknown user" instead. With
// --hold yes the answers to valid events wait until POST /release, so a test can see the
// portal while a delivery is on its way.
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const webhook = new Webhook(args.secret);
const refuse = args.refuse ? Number(args.refuse) : null;
let hold = args.hold === 'yes';
const held = [];
const accepted = [];
const seen = new Set();
let duplicates = 0;
let badSignatures = 0;

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/received') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted, duplicates, badSignatures }));
      return;
    }
    if (req.method === 'POST' && req.url === '/release') {
      hold = false;
      held.splice(0).forEach((answer) => answer());
      res.writeHead(204).end();
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    let event;
    try {
      event = webhook.verify(body, req.headers);
    } catch (err) {
      badSignatures += 1;
      res.writeHead(400).end(`bad signature: ${err.message}`);
      return;
    }
    if (refuse) {
      res.writeHead(refuse).end(`unknown user ${event.data.user.userPrincipalName}`);
      return;
    }
    const answer = () => {
      const id = req.headers['webhook-id'];
      if (seen.has(id)) {
        duplicates += 1;
      } else {
        seen.add(id);
        accepted.push({ id, event });
      }
      res.writeHead(204).end();
    };
    if (hold) held.push(answer);
    else answer();
  });
});

server.listen(Number(args.port ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
