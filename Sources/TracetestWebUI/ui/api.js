// The server's HTTP API. Every path is relative to document.baseURI, so the UI works under a path prefix.

/** An error answer of the API; `message` is the server's text, verbatim; `status` is 0 when the server is unreachable. */
class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const TOKEN_KEY = 'tracetest.token';

/** The API token this browser keeps for a server with `server.auth.token` ('' when none was asked for). */
export const apiToken = () => localStorage.getItem(TOKEN_KEY) || '';

/** Asks for the API token after a 401; false when the user cancelled. */
function askForToken(message) {
  const token = window.prompt(`${message}\n\nAPI token of this server (server.auth.token):`, '');
  if (token === null || !token.trim()) return false;
  localStorage.setItem(TOKEN_KEY, token.trim());
  return true;
}

/** The absolute URL of `path` (e.g. "api/tests"), relative to the UI's base. */
export const url = (path) => new URL(path, document.baseURI).href;
const enc = encodeURIComponent;

/** The message of an error body: `{code, error}`, `{status, detail}`, a JSON string, or text. */
function errorMessage(response, text) {
  if (!text.trim()) return response.status === 404 ? 'Not found (404)' : `${response.status} ${response.statusText}`;
  try {
    const body = JSON.parse(text);
    if (typeof body === 'string') return body;
    if (body?.error) return typeof body.error === 'string' ? body.error : JSON.stringify(body.error);
    if (body?.detail) return body.detail;
    if (body?.missingVariables) {
      const names = body.missingVariables.flatMap((m) => (m.variables || []).map((v) => v.key));
      return `Missing variables: ${names.join(', ')}. Define them in a variable set and run again.`;
    }
    if (body?.message) return body.message;
  } catch { /* not JSON */ }
  return text;
}

/**
 * Sends a request and returns the parsed JSON answer (null when empty). `body` objects are sent as JSON; `text: true`
 * returns the answer as text; `augmented: false` asks for a resource without its read-only fields (version, summary).
 */
async function request(method, path, { body, headers = {}, text = false, augmented = true } = {}) {
  const init = { method, headers: { ...(augmented ? { 'X-Tracetest-Augmented': 'true' } : {}), ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] ??= 'application/json';
  }
  let response;
  let content;
  // A server with an API token answers 401 until the user gives the token, asked once and kept.
  for (;;) {
    const sent = apiToken();
    if (sent) init.headers.Authorization = `Bearer ${sent}`;
    try {
      response = await fetch(url(path), init);
    } catch (error) {
      throw new ApiError(0, `Cannot reach the server: ${error.message}`);
    }
    content = await response.text();
    if (response.status !== 401) break;
    // Another request may have asked for it meanwhile.
    if (apiToken() === sent && !askForToken(errorMessage(response, content))) break;
  }
  if (!response.ok) throw new ApiError(response.status, errorMessage(response, content));
  if (text) return content;
  return content ? JSON.parse(content) : null;
}

const READ_ONLY_FIELDS = ['version', 'createdAt', 'summary', 'fullSteps'];

/** A copy of a resource's spec without the fields the server adds, ready to be sent back. */
export function writableSpec(spec) {
  const out = { ...spec };
  for (const key of READ_ONLY_FIELDS) delete out[key];
  return out;
}

/** The body that starts a run from the UI. */
const FROM_WEB = { metadata: { 'tracetest.source': 'web' } };

/** The resource API (`{type, spec}` envelopes). */
export const resources = {
  list: (plural, params = {}) => request('GET', `api/${plural}?${new URLSearchParams(params)}`),
  get: (plural, id) => request('GET', `api/${plural}/${enc(id)}`),
  yaml: (plural, id) => request('GET', `api/${plural}/${enc(id)}`, { headers: { Accept: 'text/yaml' }, text: true, augmented: false }),
  create: (plural, type, spec) => request('POST', `api/${plural}`, { body: { type, spec } }),
  update: (plural, type, spec) => request('PUT', `api/${plural}/${enc(spec.id)}`, { body: { type, spec } }),
  remove: (plural, id) => request('DELETE', `api/${plural}/${enc(id)}`),
};

const run = (testId, runId) => `api/tests/${enc(testId)}/run/${enc(runId)}`;

/** Test runs and the tools that read a run's trace. */
export const runs = {
  start: (testId) => request('POST', `api/tests/${enc(testId)}/run`, { body: FROM_WEB }),
  /** The latest runs, newest first. */
  list: (testId, take) => request('GET', `api/tests/${enc(testId)}/run?take=${take}&skip=0`),
  /** The run without its trace (cheap to poll). */
  get: (testId, runId) => request('GET', `${run(testId, runId)}?trace=false`),
  events: (testId, runId) => request('GET', `${run(testId, runId)}/events`),
  outline: (testId, runId) => request('GET', `${run(testId, runId)}/trace/outline`),
  span: (testId, runId, spanId) => request('GET', `${run(testId, runId)}/trace/span/${enc(spanId)}`),
  select: (testId, runId, query) => request('GET', `${run(testId, runId)}/select?query=${enc(query)}`),
  /** Searches span attributes for text; answers {spansIds} (sic, the API's spelling). */
  search: (testId, runId, query) => request('POST', `${run(testId, runId)}/search-spans`, { body: { query } }),
  dryRun: (testId, runId, specs) => request('PUT', `${run(testId, runId)}/dry-run`, {
    body: { specs: specs.map((s) => ({ ...s, selectorParsed: { query: s.selector || '' } })) },
  }),
  rerun: (testId, runId) => request('POST', `${run(testId, runId)}/rerun`),
  stop: (testId, runId) => request('POST', `${run(testId, runId)}/stop`),
  skipPolling: (testId, runId) => request('POST', `${run(testId, runId)}/skipPolling`),
  junitUrl: (testId, runId) => `${run(testId, runId)}/junit.xml`,
  /** The run's JUnit report (XML), fetched with the API token when the server has one. */
  junit: (testId, runId) => request('GET', `${run(testId, runId)}/junit.xml`, { text: true }),
  testVersion: (testId, version) => request('GET', `api/tests/${enc(testId)}/version/${enc(version)}`),
};

/** Test suite runs. */
export const suiteRuns = {
  start: (suiteId) => request('POST', `api/testsuites/${enc(suiteId)}/run`, { body: FROM_WEB }),
  list: (suiteId, take) => request('GET', `api/testsuites/${enc(suiteId)}/run?take=${take}`),
  get: (suiteId, runId) => request('GET', `api/testsuites/${enc(suiteId)}/run/${enc(runId)}`),
  version: (suiteId, version) => request('GET', `api/testsuites/${enc(suiteId)}/version/${enc(version)}`),
};

/** Checks a data store's connection (`POST api/config/connection`). */
export const testConnection = (dataStore) => request('POST', 'api/config/connection', { body: dataStore });
