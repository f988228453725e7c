// /settings?tab=…: the singleton resources as forms, one tab each: Tracing Backend (DataStore, with Test
// Connection), Trace Polling (PollingProfile), Analyzer, Test Runner, Demo and Analytics (Config).

import { h, put, field, checkbox, boundInput, boundCheckbox, boundList, radioGroup, errorBox, busy, errorText } from '../dom.js';
import { resources, testConnection } from '../api.js';
import { setQuery } from '../app.js';

const TABS = [['dataStore', 'Tracing Backend', dataStoreTab], ['pollingProfile', 'Trace Polling', pollingTab],
  ['analyzer', 'Analyzer', analyzerTab], ['testRunner', 'Test Runner', testRunnerTab], ['demo', 'Demo', demoTab],
  ['analytics', 'Analytics', analyticsTab]];

const STORES = [['jaeger', 'Jaeger'], ['tempo', 'Grafana Tempo'], ['opensearch', 'OpenSearch'], ['elasticapm', 'Elastic APM'],
  ['signalfx', 'SignalFx'], ['awsxray', 'AWS X-Ray'], ['azureappinsights', 'Azure App Insights'], ['sumologic', 'Sumo Logic'],
  ['datadog', 'Datadog'], ['dynatrace', 'Dynatrace'], ['honeycomb', 'Honeycomb'], ['instana', 'Instana'], ['lightstep', 'Lightstep'],
  ['newrelic', 'New Relic'], ['otlp', 'OpenTelemetry Collector'], ['signoz', 'SigNoz'], ['dash0', 'Dash0']];
const GATES = [['analyzer-score', 'Analyzer Score'], ['analyzer-rules', 'Analyzer Rules'], ['test-specs', 'Test Specs']];

/** A form with a Save button (and extra buttons) that shows the server's answer next to them. */
function settingsForm(title, children, save, extra = []) {
  const errors = errorBox();
  const saved = h('span', { role: 'status', class: 'pass' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Save');
  return h('form', { class: 'card settings-form', 'aria-label': title, onsubmit: (e) => {
    e.preventDefault();
    saved.textContent = '';
    busy(button, errors, async () => { await save(); saved.textContent = 'Saved.'; });
  } }, h('h2', {}, title), children, h('div', { class: 'actions' }, button, extra, saved), errors.el);
}

export function mount(main, route) {
  const body = h('div');
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Settings' });
  let active = route.query.get('tab');
  if (!TABS.some(([key]) => key === active)) active = 'dataStore';
  async function show(key) {
    active = key;
    setQuery({ tab: key === 'dataStore' ? null : key });
    put(tablist, TABS.map(([k, label]) => h('button', { type: 'button', role: 'tab', 'aria-selected': String(k === active), onclick: () => show(k) }, label)));
    put(body, h('p', { class: 'muted' }, 'Loading…'));
    const [, , draw] = TABS.find(([k]) => k === key);
    try {
      const content = await draw();
      if (active === key) put(body, content);
    } catch (error) {
      if (active === key) put(body, errorText(error.message));
    }
  }
  put(main, h('h1', {}, 'Settings'), tablist, body);
  show(active);
}

async function dataStoreTab() {
  const spec = (await resources.get('datastores', 'current')).spec;
  const fields = h('div');
  const result = h('div', { 'aria-live': 'polite' });
  const choices = radioGroup('Data store', STORES, spec.type, (type, label) => { spec.type = type; spec.name = label; drawFields(); });
  function drawFields() {
    const t = spec.type;
    const c = (spec[t] ||= {});
    const tls = () => boundCheckbox((c.tls ||= {}), 'insecure', 'Insecure (no TLS)');
    let content;
    if (t === 'jaeger') content = [field('Endpoint', boundInput(c, 'endpoint', { placeholder: 'jaeger:16685' })), tls()];
    else if (t === 'tempo') {
      const mode = h('select', { onchange: () => { c.type = mode.value; drawFields(); } }, h('option', { value: 'grpc' }, 'gRPC'), h('option', { value: 'http' }, 'HTTP'));
      mode.value = c.type ||= 'grpc';
      const sub = (c[c.type] ||= {});
      content = [field('Connection type', mode), c.type === 'http'
        ? field('URL', boundInput(sub, 'url', { placeholder: 'http://tempo:3200' })) : field('Endpoint', boundInput(sub, 'endpoint', { placeholder: 'tempo:9095' })),
      boundCheckbox((sub.tls ||= {}), 'insecure', 'Insecure (no TLS)')];
    } else if (t === 'opensearch' || t === 'elasticapm') {
      content = [field('Addresses', boundList(c, 'addresses'), 'Comma-separated URLs'), field('Index', boundInput(c, 'index')), field('Username', boundInput(c, 'username')),
        field('Password', boundInput(c, 'password', { type: 'password' })), field('Certificate', boundInput(c, 'certificate', { rows: 3 })), boundCheckbox(c, 'insecureSkipVerify', 'Skip TLS verification')];
    } else if (t === 'signalfx') content = [field('Realm', boundInput(c, 'realm')), field('Token', boundInput(c, 'token')), field('URL', boundInput(c, 'url'))];
    else if (t === 'awsxray') {
      content = [field('Region', boundInput(c, 'region')), field('Access key ID', boundInput(c, 'accessKeyId')), field('Secret access key', boundInput(c, 'secretAccessKey', { type: 'password' })),
        field('Session token', boundInput(c, 'sessionToken')), boundCheckbox(c, 'useDefaultAuth', 'Use default authentication'), field('URL', boundInput(c, 'url'))];
    } else if (t === 'azureappinsights') {
      const mode = h('select', { onchange: () => { c.connectionType = mode.value; } }, h('option', { value: 'direct' }, 'Direct'), h('option', { value: 'collector' }, 'Collector'));
      mode.value = c.connectionType ||= 'direct';
      content = [field('Connection type', mode), boundCheckbox(c, 'useAzureActiveDirectoryAuth', 'Use Azure Active Directory authentication'),
        field('Access token', boundInput(c, 'accessToken')), field('Resource ARM ID', boundInput(c, 'resourceArmId')), field('URL', boundInput(c, 'url'))];
    } else if (t === 'sumologic') content = [field('URL', boundInput(c, 'url')), field('Access ID', boundInput(c, 'accessID')), field('Access key', boundInput(c, 'accessKey', { type: 'password' }))];
    else content = h('p', { class: 'muted' }, 'Traces come in through this server\'s OTLP receiver (gRPC and HTTP): point your OpenTelemetry exporter or collector at it.');
    put(fields, content);
  }
  drawFields();
  /** The DataStore to save or test: only the settings of the chosen type. */
  const dataStore = () => {
    const out = { id: 'current', name: spec.name || STORES.find(([t]) => t === spec.type)?.[1], type: spec.type, default: true };
    if (spec[spec.type] && Object.keys(spec[spec.type]).length) out[spec.type] = spec[spec.type];
    return out;
  };
  const connErrors = errorBox();
  const check = h('button', { type: 'button', onclick: () => busy(check, connErrors, async () => {
    put(result);
    const answer = await testConnection(dataStore());
    put(result, h('ul', { class: 'connection' }, [['portCheck', 'Port check'], ['connectivity', 'Connectivity'], ['authentication', 'Authentication'], ['fetchTraces', 'Fetch traces']]
      .map(([k, label]) => {
        const step = answer?.[k] || {};
        const status = step.status || (step.passed ? 'passed' : 'failed');
        return h('li', { class: status === 'passed' ? 'pass' : status === 'warning' ? 'warn' : 'fail' },
          `${status === 'passed' ? '✔' : status === 'warning' ? '⚠' : '✘'} ${label}: ${step.message || status}`, step.error ? h('div', { class: 'error small' }, step.error) : null);
      })));
  }) }, 'Test Connection');
  return settingsForm('Tracing Backend', [choices, fields, result, connErrors.el],
    () => resources.update('datastores', 'DataStore', dataStore()), [check]);
}

async function pollingTab() {
  const spec = (await resources.get('pollingprofiles', 'current')).spec;
  const periodic = (spec.periodic ||= {});
  return settingsForm('Trace Polling', [
    h('p', { class: 'muted' }, 'How long a run waits for its trace, and how often it looks for new spans.'),
    field('Max wait time for trace', boundInput(periodic, 'timeout', { placeholder: '1m' }), 'A duration, e.g. 30s or 1m'),
    field('Retry delay', boundInput(periodic, 'retryDelay', { placeholder: '500ms' }), 'A duration, e.g. 500ms or 5s'),
    field('Selector match retries', boundInput(periodic, 'selectorMatchRetries', { type: 'number', min: 0 }))],
  () => resources.update('pollingprofiles', 'PollingProfile', { ...spec, id: 'current', strategy: spec.strategy || 'periodic' }));
}

async function analyzerTab() {
  const spec = (await resources.get('analyzers', 'current')).spec;
  return settingsForm('Analyzer', [
    h('p', { class: 'muted' }, 'The analyzer scores every trace against the rules below.'),
    boundCheckbox(spec, 'enabled', 'Enable Analyzer for All Tests'),
    field('Minimum score', boundInput(spec, 'minimumScore', { type: 'number', min: 0, max: 100 }), '0–100 %: a lower score fails the Analyzer Score gate'),
    (spec.plugins || []).map((plugin) => h('fieldset', { class: 'plugin' }, h('legend', {}, plugin.name || plugin.id),
      boundCheckbox(plugin, 'enabled', `Enable ${plugin.name || plugin.id}`),
      h('table', { class: 'rules' }, h('tbody', {}, (plugin.rules || []).map((rule) => {
        const level = h('select', { 'aria-label': `${rule.name || rule.id} level`, onchange: () => { rule.errorLevel = level.value; } },
          ['error', 'warning', 'disabled'].map((l) => h('option', {}, l)));
        level.value = rule.errorLevel || 'error';
        return h('tr', {}, h('th', { scope: 'row', title: rule.description || '' }, rule.name || rule.id), h('td', {}, level),
          h('td', {}, boundInput(rule, 'weight', { type: 'number', min: 0, 'aria-label': `${rule.name || rule.id} weight` })));
      })))))],
  () => resources.update('analyzers', 'Analyzer', { ...spec, id: 'current', minimumScore: spec.minimumScore ?? 0 }));
}

async function testRunnerTab() {
  const spec = (await resources.get('testrunners', 'current')).spec;
  const gates = new Set(spec.requiredGates || []);
  return settingsForm('Test Runner', [
    h('p', { class: 'muted' }, 'Required gates: a run fails when one of these fails.'),
    h('fieldset', {}, h('legend', {}, 'Required Gates'), GATES.map(([gate, label]) =>
      checkbox(label, gates.has(gate), (e) => { e.target.checked ? gates.add(gate) : gates.delete(gate); }).el))],
  () => resources.update('testrunners', 'TestRunner', { ...spec, id: 'current', requiredGates: GATES.map(([g]) => g).filter((g) => gates.has(g)) }));
}

async function demoTab() {
  const list = (await resources.list('demos', { take: 100 })).items.map((i) => i.spec);
  const pokeshop = list.find((d) => d.type === 'pokeshop') || { name: 'pokeshop', type: 'pokeshop', enabled: false };
  const otel = list.find((d) => d.type === 'otelstore') || { name: 'otelstore', type: 'otelstore', enabled: false };
  const p = (pokeshop.pokeshop ||= {});
  const o = (otel.opentelemetryStore ||= {});
  const store = (demo) => (demo.id ? resources.update('demos', 'Demo', demo) : demo.enabled ? resources.create('demos', 'Demo', demo) : null);
  return settingsForm('Demo', [
    h('fieldset', {}, h('legend', {}, 'Pokeshop'), boundCheckbox(pokeshop, 'enabled', 'Enable Pokeshop'),
      field('HTTP Endpoint', boundInput(p, 'httpEndpoint')), field('GRPC Endpoint', boundInput(p, 'grpcEndpoint')), field('Kafka Broker', boundInput(p, 'kafkaBroker'))),
    h('fieldset', {}, h('legend', {}, 'OpenTelemetry Astronomy Shop'), boundCheckbox(otel, 'enabled', 'Enable OpenTelemetry Astronomy Shop Demo'),
      field('Frontend Endpoint', boundInput(o, 'frontendEndpoint')), field('Product Catalog Endpoint', boundInput(o, 'productCatalogEndpoint')),
      field('Cart Endpoint', boundInput(o, 'cartEndpoint')), field('Checkout Endpoint', boundInput(o, 'checkoutEndpoint')))],
  async () => {
    const [a, b] = await Promise.all([store(pokeshop), store(otel)]);
    if (a?.spec?.id) pokeshop.id = a.spec.id;
    if (b?.spec?.id) otel.id = b.spec.id;
  });
}

async function analyticsTab() {
  const spec = (await resources.get('configs', 'current')).spec;
  return settingsForm('Analytics', [
    h('p', { class: 'muted' }, 'This server never sends analytics; the setting is stored for compatibility with Tracetest.'),
    boundCheckbox(spec, 'analyticsEnabled', 'Enable analytics')],
  () => resources.update('configs', 'Config', { ...spec, id: 'current' }));
}
