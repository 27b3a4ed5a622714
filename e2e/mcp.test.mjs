import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKEND_URL, startStack } from './harness.mjs';

// The ECR actions as MCP tools, through the demo backend's MCP actions
// endpoint, with the tokens the dev backend's guest sign-in issues: first
// signed in as guest (team-a), then, on a second start, as alice
// (platform-team). The demo's permission policy decides.

const MCP_URL = `${BACKEND_URL}/api/mcp-actions/v1`;

/** The Backstage token the guest sign-in issues to the browser. */
async function signInToken() {
  const res = await fetch(
    `${BACKEND_URL}/api/auth/guest/refresh?env=development`,
    { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
  );
  assert.equal(res.status, 200, await res.clone().text());
  const body = await res.json();
  return body.backstageIdentity.token;
}

let nextId = 1;

/** One JSON-RPC request to the MCP endpoint; its answer, from JSON or SSE. */
async function rpc(token, method, params = {}) {
  const res = await fetch(MCP_URL, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`status ${res.status}: ${text}`);
  const json = text.trimStart().startsWith('{')
    ? text
    : text
        .split('\n')
        .filter(line => line.startsWith('data:'))
        .map(line => line.slice(5))
        .join('');
  const answer = JSON.parse(json);
  assert.equal(answer.error, undefined, JSON.stringify(answer.error));
  return answer.result;
}

const call = (token, name, args) =>
  rpc(token, 'tools/call', { name, arguments: args });

/** A tool's answer, parsed from its text content. */
function outputOf(result) {
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  const structured = result.structuredContent;
  if (structured) return structured;
  return JSON.parse(result.content.map(c => c.text).join(''));
}

function refusalOf(result) {
  assert.equal(result.isError, true, JSON.stringify(result));
  return result.content.map(c => c.text).join('');
}

/** Waits for the catalog to have read the demo's entities. */
async function catalogReady(token) {
  const url = `${BACKEND_URL}/api/catalog/entities/by-name/group/default/platform-team`;
  for (let i = 0; i < 120; i++) {
    const res = await fetch(url, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (res.status === 200) return;
    if (res.status === 401) throw new Error('status 401 from the catalog');
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error('The catalog did not read the demo entities in 60 seconds');
}

async function backendReady() {
  for (let i = 0; i < 240; i++) {
    try {
      const res = await fetch(`${BACKEND_URL}/.backstage/health/v1/readiness`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error('The backend did not come back in 120 seconds');
}

async function withStack(env, body) {
  const stack = await startStack({ env, timeoutMs: 240_000 });
  try {
    // The dev backend restarts when a source file changes; a run it cut
    // short (refused connection, or a token its new keys do not know) is run
    // again from the sign-in.
    for (let attempt = 1; ; attempt++) {
      try {
        await catalogReady(await signInToken());
        // Signed in again once the catalog has the users and groups, so that
        // the token's ownership claims name the user's team.
        await body(await signInToken());
        return;
      } catch (error) {
        const restarted =
          error?.cause?.code === 'ECONNREFUSED' ||
          /^status 401/.test(String(error?.message));
        if (!restarted || attempt === 3) throw error;
        await backendReady();
      }
    }
  } finally {
    await stack.stop();
  }
}

const ECR_TOOLS = [
  'get-images',
  'get-setup-status',
  'get-builds',
  'get-audit',
  'create-repository',
  'configure-repository',
  'grant-push-access',
  'claim',
  'start-build',
];

test('the ECR tools over MCP, as guest and as alice', async () => {
  let toolName;
  await withStack({}, async guest => {
    const { tools } = await rpc(guest, 'tools/list');
    const names = tools.map(t => t.name);
    // Only ECR's actions (backend.actions.pluginSources), under its plugin id.
    for (const name of ECR_TOOLS) {
      assert.ok(
        names.some(n => n === `ecr.${name}` || n === name),
        `${name} in ${names.join(', ')}`,
      );
    }
    assert.equal(names.length, ECR_TOOLS.length, names.join(', '));
    toolName = name => names.find(n => n === `ecr.${name}` || n === name);
    const images = tools.find(t => t.name === toolName('get-images'));
    assert.equal(images.annotations?.readOnlyHint, true);
    const claimTool = tools.find(t => t.name === toolName('claim'));
    assert.equal(claimTool.annotations?.readOnlyHint, false);

    const seen = outputOf(
      await call(guest, toolName('get-images'), {
        entityRef: 'component:default/proof-of-concept',
      }),
    );
    assert.equal(seen.entityRef, 'component:default/proof-of-concept');
    assert.ok(seen.repositories[0].images.length > 0);

    // The demo policy gives the audit and claims to platform-team only.
    assert.match(
      refusalOf(await call(guest, toolName('get-audit'), {})),
      /ecr\.audit\.read/,
    );
    assert.match(
      refusalOf(
        await call(guest, toolName('claim'), {
          entityRef: 'component:default/checkout-web',
        }),
      ),
      /ecr\.repository\.claim/,
    );
  });

  await withStack(
    { APP_CONFIG_auth_providers_guest_userEntityRef: 'user:default/alice' },
    async alice => {
      const audit = outputOf(await call(alice, toolName('get-audit'), {}));
      assert.ok(Array.isArray(audit.entities));
      // A dry run by default: what claiming would bind, and nothing bound.
      const claim = outputOf(
        await call(alice, toolName('claim'), {
          entityRef: 'component:default/checkout-web',
        }),
      );
      assert.equal(claim.dryRun, true);
      assert.ok(
        claim.resources.some(
          r => r.kind === 'repository' && r.outcome === 'bound',
        ),
        JSON.stringify(claim.resources),
      );
      const setup = outputOf(
        await call(alice, toolName('get-setup-status'), {
          entityRef: 'component:default/checkout-web',
        }),
      );
      assert.ok(
        setup.checks.some(
          c => c.id === 'repository-owner' && c.status !== 'pass',
        ),
        'the claim was a dry run: the repository is still unbound',
      );
    },
  );
});
