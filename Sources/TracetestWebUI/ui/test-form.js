// The form that creates or edits a test: name, description and the trigger (HTTP, gRPC, Kafka, GraphQL, TraceID).

import { h, field, boundInput, boundCheckbox, boundList, radioGroup, errorBox, busy, put } from './dom.js';
import { writableSpec } from './api.js';

const TYPES = [['http', 'HTTP'], ['grpc', 'gRPC'], ['kafka', 'Kafka'], ['graphql', 'GraphQL'], ['traceid', 'TraceID']];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Editable key/value rows bound to the array obj[key] ([{key, value}]). */
function pairs(obj, key, noun, legend = `${noun}s`) {
  obj[key] ||= [];
  const list = h('div', { class: 'pairs' });
  const draw = () => put(list, obj[key].map((pair, i) => h('div', { class: 'pair' },
    h('input', { 'aria-label': `${noun} ${i + 1} key`, placeholder: 'Key', value: pair.key ?? '', oninput: (e) => { pair.key = e.target.value; } }),
    h('input', { 'aria-label': `${noun} ${i + 1} value`, placeholder: 'Value', value: pair.value ?? '', oninput: (e) => { pair.value = e.target.value; } }),
    h('button', { type: 'button', class: 'link', 'aria-label': `Remove ${noun.toLowerCase()} ${i + 1}`, onclick: () => { obj[key].splice(i, 1); draw(); } }, '✕'))),
  h('button', { type: 'button', class: 'small', onclick: () => { obj[key].push({ key: '', value: '' }); draw(); } }, `Add ${noun.toLowerCase()}`));
  draw();
  return h('fieldset', {}, h('legend', {}, legend), list);
}

/** Auth editor (none / basic / bearer / API key) bound to obj.auth. */
function auth(obj) {
  const box = h('div');
  const kind = h('select', { onchange: () => { obj.auth = kind.value ? { type: kind.value } : undefined; draw(); } },
    h('option', { value: '' }, 'None'), h('option', { value: 'basic' }, 'Basic'),
    h('option', { value: 'bearer' }, 'Bearer'), h('option', { value: 'apiKey' }, 'API key'));
  kind.value = obj.auth?.type || '';
  function draw() {
    const a = obj.auth;
    if (!a) return put(box);
    if (a.type === 'basic') {
      a.basic ||= {};
      put(box, field('Username', boundInput(a.basic, 'username')), field('Password', boundInput(a.basic, 'password', { type: 'password' })));
    } else if (a.type === 'bearer') {
      a.bearer ||= {};
      put(box, field('Token', boundInput(a.bearer, 'token')));
    } else {
      a.apiKey ||= { in: 'header' };
      const where = h('select', { onchange: () => { a.apiKey.in = where.value; } },
        h('option', { value: 'header' }, 'Header'), h('option', { value: 'query' }, 'Query'));
      where.value = a.apiKey.in || 'header';
      put(box, field('Key', boundInput(a.apiKey, 'key')), field('Value', boundInput(a.apiKey, 'value')), field('Add To', where));
    }
  }
  draw();
  return h('fieldset', {}, h('legend', {}, 'Auth'), field('Auth type', kind), box);
}

/** The fields of one trigger type, bound to the trigger object `t`. */
function triggerFields(t) {
  switch (t.type) {
    case 'http': {
      const r = (t.httpRequest ||= { method: 'GET', url: '' });
      const method = h('select', { onchange: () => { r.method = method.value; } }, METHODS.map((m) => h('option', {}, m)));
      method.value = r.method || 'GET';
      return [h('div', { class: 'row' }, field('Method', method), field('URL', boundInput(r, 'url', { type: 'text', placeholder: 'http://localhost:8080/path', class: 'grow' }))),
        pairs(r, 'headers', 'Header'), field('Body', boundInput(r, 'body', { rows: 5, class: 'mono' })), auth(r),
        boundCheckbox(r, 'sslVerification', 'Verify SSL certificates')];
    }
    case 'grpc': {
      const g = (t.grpc ||= {});
      return [field('Address', boundInput(g, 'address', { placeholder: 'host:port' })),
        field('Method', boundInput(g, 'method', { placeholder: 'package.Service.method' })),
        field('Protobuf definition', boundInput(g, 'protobufFile', { rows: 5, class: 'mono' }), 'Empty: use the server reflection of the target'),
        field('Message', boundInput(g, 'request', { rows: 4, class: 'mono' })), pairs(g, 'metadata', 'Metadata', 'Metadata'), auth(g)];
    }
    case 'kafka': {
      const k = (t.kafka ||= { brokerUrls: [] });
      return [field('Broker URLs', boundList(k, 'brokerUrls'), 'Comma-separated, e.g. localhost:9092'), field('Topic', boundInput(k, 'topic')),
        field('Message key', boundInput(k, 'messageKey')), field('Message value', boundInput(k, 'messageValue', { rows: 4, class: 'mono' })),
        pairs(k, 'headers', 'Header')];
    }
    case 'graphql': {
      const g = (t.graphql ||= { body: {} });
      g.body ||= {};
      return [field('URL', boundInput(g, 'url')), field('Query', boundInput(g.body, 'query', { rows: 6, class: 'mono' })),
        field('Operation name', boundInput(g.body, 'operationName')), pairs(g, 'headers', 'Header'), auth(g)];
    }
    default: {
      const id = (t.traceid ||= { id: '' });
      return [field('ID', boundInput(id, 'id', { placeholder: '${var:TRACE_ID}', class: 'mono' }), 'A trace id (32 hex digits) or an expression')];
    }
  }
}

/** Keeps only the sub-object of the trigger's type. */
function cleanTrigger(t) {
  const key = { http: 'httpRequest', grpc: 'grpc', kafka: 'kafka', graphql: 'graphql', traceid: 'traceid' }[t.type];
  const out = { type: t.type, [key]: t[key] || {} };
  if (t.type === 'http') {
    const r = out.httpRequest;
    r.headers = (r.headers || []).filter((p) => p.key);
    if (!r.headers.length) delete r.headers;
    if (!r.body) delete r.body;
    if (!r.auth?.type) delete r.auth;
  }
  return out;
}

/**
 * The test form. `actions` is a list of [label, async (spec) => …]; each becomes a submit button (Enter in a field
 * clicks the first). The spec passed keeps the test's other fields (id, specs, outputs). `onCancel` adds Cancel.
 */
export function testForm(test, actions, onCancel) {
  const spec = structuredClone(test);
  spec.trigger ||= { type: 'http' };
  spec.trigger.type ||= 'http';
  const errors = errorBox();
  const section = h('div', { class: 'trigger-fields' });
  const draw = () => put(section, triggerFields(spec.trigger));
  const types = radioGroup('Trigger type', TYPES, spec.trigger.type, (value) => { spec.trigger.type = value; draw(); });
  draw();

  const buttons = actions.map(([label, action]) => {
    const button = h('button', { type: 'submit', class: 'primary' }, label);
    button.addEventListener('click', (e) => {
      e.preventDefault();
      busy(button, errors, () => {
        const out = writableSpec({ ...spec, trigger: cleanTrigger(spec.trigger) });
        if (!out.skipTraceCollection) delete out.skipTraceCollection;
        return action(out);
      });
    });
    return button;
  });
  if (onCancel) buttons.push(h('button', { type: 'button', onclick: onCancel }, 'Cancel'));

  return h('form', { class: 'card test-form', 'aria-label': 'Test definition', onsubmit: (e) => e.preventDefault() },
    field('Name', boundInput(spec, 'name', { required: true })),
    field('Description', boundInput(spec, 'description')),
    types, section, boundCheckbox(spec, 'skipTraceCollection', 'Skip trace collection'),
    h('div', { class: 'actions' }, buttons), errors.el);
}
