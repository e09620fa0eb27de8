// Try the portal's OpenID Connect sign-in by hand against the provider the tests use:
// `node tests/local-provider.mjs` starts it on http://127.0.0.1:9090, registers the portal at
// http://127.0.0.1:8080/ and http://localhost:8080/ (what `cargo xtask run` serves), and prints
// who can sign in and the command that starts the portal against it. Ctrl-C stops it.
import { clientId, people, startProvider } from './oidc-provider.mjs';

const port = Number(process.env.PROVIDER_PORT ?? 9090);
const portals = ['http://127.0.0.1:8080/', 'http://localhost:8080/'];

let provider;
try {
  provider = await startProvider({ port });
} catch (err) {
  console.error(`Cannot listen on 127.0.0.1:${port} (${err.message}): stop what uses it, or set PROVIDER_PORT.`);
  process.exit(1);
}
await provider.register(portals, portals);

console.log(`OpenID Provider at ${provider.issuer}, with the portal registered as "${clientId}" for ${portals.join(' and ')}.`);
console.log('People who can sign in (user name / password):');
for (const [login, person] of Object.entries(people)) console.log(`  ${login} / ${person.password}`);
console.log('Start the portal against it, in another terminal:');
console.log(`  cargo xtask run -- --oidc-issuer ${provider.issuer} --oidc-client-id ${clientId} --oidc-user-claim preferred_username`);
console.log('then open http://127.0.0.1:8080/. Ctrl-C stops the provider.');

process.on('SIGINT', async () => {
  await provider.stop();
  process.exit(0);
});
