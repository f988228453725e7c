// /test/:id/run/:runId/:mode: a run's state and events (live) and the tabs Trigger, Trace, Test and Automate.
// The run is read without its trace; the Trace and Test tabs draw the trace from its outline.

import { h, put, field, errorBox, errorText, kvTable, busy, isFinished, isSet, stateBadge, counts, prettyJSON, triggerSummary, saveFile } from '../dom.js';
import { resources, runs, url } from '../api.js';
import { basePath, navigate, setQuery } from '../app.js';
import { watch } from '../live.js';
import { buildTree, spanIdOf, TraceView } from '../trace-view.js';
import { SpanDetail } from '../span-detail.js';
import { analyzerPanel } from '../analyzer.js';
import { SpecsPanel, selectorFor, assertionFor } from '../specs.js';

const MODES = [['trigger', 'Trigger'], ['trace', 'Trace'], ['test', 'Test'], ['automate', 'Automate']];
/** The states in which a run has its trace (a STOPPED run has one when obtainedTraceAt is set). */
const TRACED = ['ANALYZING_TRACE', 'AWAITING_TEST_RESULTS', 'FINISHED', 'ANALYZING_ERROR', 'ASSERTION_FAILED'];

export function mount(main, route) {
  const page = new RunPage(main, route);
  return { unmount: () => page.stopWatching(), update: (r) => page.update(r) };
}

/** The selector text of a spec or output in either wire form: a string (resource) or {query} (OpenAPI). */
const selectorText = (item) => (typeof item.selector === 'string' ? item.selector : item.selector?.query ?? item.selectorParsed?.query ?? '');

/** The specs and outputs of a test in either wire form. */
function normalizeSpecs(test) {
  const specs = (test?.specs || []).map((s) => {
    const spec = { selector: selectorText(s), assertions: s.assertions || [] };
    if (s.name) spec.name = s.name;
    return spec;
  });
  const outputs = (test?.outputs || []).map((o) => ({ name: o.name, selector: selectorText(o), value: o.value }));
  return { specs, outputs };
}

class RunPage {
  constructor(main, route) {
    this.testId = route.params.testId;
    this.runId = route.params.runId;
    this.mode = route.params.mode || 'test';
    this.query = route.query;
    this.testPath = `test/${encodeURIComponent(this.testId)}`;
    this.runPath = `${this.testPath}/run/${this.runId}`;
    this.errors = errorBox();
    this.head = h('div', { class: 'run-head' });
    this.tabs = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'Run views' });
    this.body = h('div', { class: 'tab-body' });
    this.events = [];
    this.spanCache = new Map();
    this.stops = [];
    put(main, this.head, this.errors.el, this.tabs, this.body);
    this.drawTabs();
    put(this.body, h('p', { class: 'muted' }, 'Loading…'));
    this.load();
  }

  update(route) {
    if (route.params.testId !== this.testId || route.params.runId !== this.runId) return false;
    this.mode = route.params.mode || 'test';
    this.drawTabs();
    this.drawBody();
    return true;
  }

  /** Stops the live updates of the run. */
  stopWatching() {
    this.stops.forEach((stop) => stop());
    this.stops = [];
  }

  async load() {
    try {
      // The events say cheaply whether the trace is stored: then the outline loads alongside the run.
      this.events = (await runs.events(this.testId, this.runId)) || [];
      if (this.events.some((e) => e.stage === 'test' || /^TRACE_LINTER_(SUCCESS|ERROR|SKIPPED)$/.test(e.type))) {
        this.outline = runs.outline(this.testId, this.runId);
        this.outline.catch(() => {}); // loadTraceWhenReady() reports or retries a failure
      }
      const [run, test] = await Promise.all([runs.get(this.testId, this.runId), resources.get('tests', this.testId)]);
      this.run = run;
      this.test = test.spec;
      let definition = this.test;
      if (run.testVersion && run.testVersion !== this.test.version) definition = await runs.testVersion(this.testId, run.testVersion).catch(() => this.test);
      this.definition = normalizeSpecs(definition);
    } catch (error) {
      put(this.body, errorText(error.status === 404 ? `Run ${this.runId} of test ${this.testId} not found.` : error.message));
      return;
    }
    this.drawHead();
    this.drawBody();
    this.loadTraceWhenReady();
    if (!isFinished(this.run.state)) {
      const topic = `test/${this.testId}/run/${this.runId}`;
      this.stops.push(watch(topic, () => runs.get(this.testId, this.runId), (run) => this.onRun(run)));
      this.stops.push(watch(`${topic}/event`, () => runs.events(this.testId, this.runId), (event) => this.onEvent(event)));
    }
  }

  onRun(run) {
    if (!run || run.id === undefined) return;
    const was = this.run.state;
    this.run = { ...run, trace: undefined };
    this.drawHead();
    if (isFinished(run.state)) {
      this.stopWatching();
      runs.events(this.testId, this.runId).then((events) => { this.events = events || []; this.drawHead(); }).catch(() => {});
    }
    if (was !== run.state) { this.drawBody(); this.loadTraceWhenReady(); }
  }

  onEvent(event) {
    if (Array.isArray(event)) this.events = event;
    else if (event && !this.events.some((e) => e.type === event.type && e.createdAt === event.createdAt)) this.events.push(event);
    this.drawHead();
    if (!this.tree && (this.mode === 'trace' || this.mode === 'test')) this.drawBody();
  }

  /** Loads the trace outline once the run has a trace. */
  async loadTraceWhenReady() {
    const s = this.run.state;
    const traced = TRACED.includes(s) || (s === 'STOPPED' && isSet(this.run.obtainedTraceAt));
    if (!traced || this.tree || this.loadingTrace) return;
    this.loadingTrace = true;
    try {
      const outline = await (this.outline || runs.outline(this.testId, this.runId));
      this.tree = buildTree(outline);
      this.createViews();
      this.drawHead();
      this.drawBody();
    } catch (error) {
      this.outline = null;
      // A run still going on may not have stored its trace yet: the next state change tries again.
      if (isFinished(this.run.state)) {
        this.traceError = error;
        this.drawBody();
      }
    } finally {
      this.loadingTrace = false;
    }
  }

  createViews() {
    this.view = new TraceView(this.tree, {
      onSelect: (id) => this.selectSpan(id, false),
      search: (q, isSelector) => isSelector
        ? runs.select(this.testId, this.runId, q).then((r) => r?.spanIds)
        : runs.search(this.testId, this.runId, q).then((r) => r?.spansIds),
    });
    this.detail = new SpanDetail({
      load: (id) => this.loadSpan(id),
      onCreateSpec: (span, key, value) => {
        if (this.mode !== 'test') navigate(`${this.runPath}/test${location.search}`);
        this.specs?.openSpecForm(-1, { selector: selectorFor(span), assertion: assertionFor(key, value) });
      },
    });
    const wanted = this.query.get('selectedSpan');
    const first = wanted && this.tree.index.has(wanted) ? wanted : spanIdOf(this.tree, this.tree.roots[0]);
    if (first) this.selectSpan(first);
  }

  /** A span's details (fetched once). */
  loadSpan(id) {
    if (!this.spanCache.has(id)) {
      const promise = runs.span(this.testId, this.runId, id);
      promise.catch(() => this.spanCache.delete(id));
      this.spanCache.set(id, promise);
    }
    return this.spanCache.get(id);
  }

  /** Shows span `id` in the details panel and the URL; `reveal` also selects it in the trace view. */
  selectSpan(id, reveal = true) {
    if (reveal) this.view.select(id);
    setQuery({ selectedSpan: id });
    this.detail.show(id);
  }

  drawTabs() {
    put(this.tabs, MODES.map(([mode, label]) => h('a', { href: `${this.runPath}/${mode}${location.search}`, role: 'tab',
      'aria-selected': String(mode === this.mode), 'aria-current': mode === this.mode ? 'page' : null }, label)));
  }

  drawHead() {
    const run = this.run;
    const test = this.test;
    const c = counts(run);
    const finished = isFinished(run.state);
    const start = h('button', { type: 'button', onclick: () => busy(start, this.errors, async () => {
      const next = await runs.start(this.testId);
      navigate(`${this.testPath}/run/${next.id}/${this.mode}`);
    }) }, 'Run');
    const again = h('button', { type: 'button', disabled: !finished || !this.tree, onclick: () => busy(again, this.errors, async () => {
      const next = await runs.rerun(this.testId, this.runId);
      navigate(`${this.testPath}/run/${next.id}/test`);
    }) }, 'Run again');
    const stop = h('button', { type: 'button', class: 'danger', onclick: () => busy(stop, this.errors, () => runs.stop(this.testId, this.runId)) }, 'Stop');
    const skip = h('button', { type: 'button', onclick: () => busy(skip, this.errors, () => runs.skipPolling(this.testId, this.runId)) }, 'Skip trace collection');
    const open = this.head.querySelector('details.events')?.open;
    put(this.head,
      h('a', { href: this.testPath, class: 'back' }, `← ${test.name || this.testId}`),
      h('div', { class: 'page-head' },
        h('h1', {}, `${test.name || this.testId} — Run #${run.id}`),
        h('div', { class: 'actions' }, finished ? null : stop, run.state === 'AWAITING_TRACE' ? skip : null, start, again)),
      h('div', { class: 'run-meta', 'aria-live': 'polite' },
        h('span', {}, 'Status: ', stateBadge(run)),
        h('span', { class: 'pass' }, `✔ ${c.passed}`), h('span', { class: 'fail' }, `✘ ${c.failed}`),
        h('span', { class: 'muted' }, `v${run.testVersion}`),
        h('span', { class: 'muted' }, `Trace ID ${run.traceId || '–'}`),
        this.tree ? h('span', { class: 'muted' }, `${this.tree.n} spans`) : null,
        h('span', { class: 'muted' }, `Execution time ${run.executionTime ?? 0}s`),
        run.requiredGatesResult && run.state === 'FINISHED' ? h('span', { class: run.requiredGatesResult.passed ? 'pass' : 'fail',
          title: `Required gates: ${(run.requiredGatesResult.required || []).join(', ') || 'none'}; failed: ${(run.requiredGatesResult.failed || []).join(', ') || 'none'}` },
        run.requiredGatesResult.passed ? 'Required gates passed' : 'Required gates failed') : null),
      run.lastErrorState ? errorText(run.lastErrorState) : null,
      h('details', { class: 'events', open: !!open }, h('summary', {}, `Event Log (${this.events.length})`), eventList(this.events)));
  }

  drawBody() {
    if (!this.run) return;
    const draw = { trigger: () => this.triggerTab(), trace: () => this.traceTab(), test: () => this.testTab(), automate: () => this.automateTab() }[this.mode];
    put(this.body, draw());
  }

  /** What the Trace and Test tabs show before the trace is there. */
  waiting() {
    const run = this.run;
    if (this.traceError) return errorText(`Cannot load the trace: ${this.traceError.message}`);
    if (isFinished(run.state) && !TRACED.includes(run.state)) {
      return h('div', { class: 'card' }, h('p', {}, `This run has no trace (${stateBadge(run).textContent}).`), eventList(this.events.filter((e) => e.stage !== 'test')));
    }
    return h('div', { class: 'card' }, h('p', {}, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ` ${stateBadge(run).textContent}: waiting for the trace…`),
      eventList(this.events.filter((e) => e.stage === 'trace' || e.stage === 'trigger')));
  }

  triggerTab() {
    const run = this.run;
    const trigger = run.resolvedTrigger?.type ? run.resolvedTrigger : this.test.trigger;
    const result = run.triggerResult?.triggerResult || {};
    const type = run.triggerResult?.type || trigger?.type;
    const req = trigger?.httpRequest || trigger?.graphql || {};
    const request = h('section', { class: 'card' }, h('h2', {}, 'Request'), h('p', { class: 'mono' }, triggerSummary(trigger)),
      (type === 'http' || type === 'graphql') && req.headers?.length ? headerTable(req.headers) : null,
      req.body && typeof req.body === 'string' ? h('pre', { class: 'code' }, prettyJSON(req.body)) : null);
    let response;
    if (run.state === 'TRIGGER_FAILED') {
      response = [errorText(result.error?.message || run.lastErrorState || 'The trigger failed.'), eventList(this.events.filter((e) => e.stage === 'trigger'))];
    } else if (type === 'http' || type === 'graphql') {
      const r = result[type] || {};
      response = r.statusCode ? [
        h('dl', { class: 'facts' },
          h('dt', {}, 'Status'), h('dd', { class: r.statusCode >= 400 ? 'fail' : 'pass' }, r.status || r.statusCode),
          h('dt', {}, 'Time'), h('dd', { class: run.triggerTime > 1000 ? 'fail' : '' }, `${run.triggerTime}ms`)),
        h('h3', {}, 'Headers'), headerTable(r.headers || []),
        h('h3', {}, 'Body'), h('pre', { class: 'code' }, prettyJSON(r.body || ''))] : h('p', { class: 'muted' }, 'No response yet.');
    } else if (type === 'grpc') {
      const r = result.grpc || {};
      response = [h('dl', { class: 'facts' }, h('dt', {}, 'Status code'), h('dd', {}, String(r.statusCode ?? '–')), h('dt', {}, 'Time'), h('dd', {}, `${run.triggerTime}ms`)),
        h('h3', {}, 'Metadata'), headerTable(r.metadata || []), h('h3', {}, 'Body'), h('pre', { class: 'code' }, prettyJSON(r.body || ''))];
    } else if (type === 'kafka') {
      response = h('dl', { class: 'facts' }, h('dt', {}, 'Partition'), h('dd', {}, String(result.kafka?.partition ?? '–')), h('dt', {}, 'Offset'), h('dd', {}, String(result.kafka?.offset ?? '–')));
    } else {
      response = h('dl', { class: 'facts' }, h('dt', {}, 'Trace ID'), h('dd', { class: 'mono' }, result.traceid?.id || run.traceId));
    }
    return h('div', { class: 'two-col' }, request, h('section', { class: 'card' }, h('h2', {}, 'Response Data'), response));
  }

  traceTab() {
    if (!this.tree) return this.waiting();
    return h('div', { class: 'three-col' }, this.detail.el, this.view.el,
      analyzerPanel(this.run.linter, this.tree, (id) => this.selectSpan(id)));
  }

  testTab() {
    if (!this.tree) return this.waiting();
    let right;
    if (isFinished(this.run.state)) {
      this.specs ||= new SpecsPanel({
        testId: this.testId, runId: this.runId, run: this.run, ...this.definition, tree: this.tree,
        view: () => this.view, span: () => this.detail.span, loadSpan: (id) => this.loadSpan(id),
        selectSpan: (id) => this.selectSpan(id), navigate,
      });
      const wanted = this.query.get('selectedAssertion');
      if (wanted !== null && !this.focusedWanted) { this.focusedWanted = true; this.specs.focusSpec(+wanted); } // once, on the first visit
      this.specs.markTrace();
      right = this.specs.el;
    } else {
      right = h('section', { class: 'panel' }, h('h2', {}, 'Test Specs'), h('p', { class: 'muted' }, `${stateBadge(this.run).textContent}: waiting for the test results…`));
    }
    return h('div', { class: 'three-col' }, this.detail.el, this.view.el, right);
  }

  automateTab() {
    const test = this.test;
    const file = h('input', { value: `${(test.name || 'test').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'test'}.yaml`, oninput: () => draw() });
    const yaml = h('pre', { class: 'code' }, 'Loading…');
    resources.yaml('tests', this.testId).then((text) => { yaml.textContent = text; }).catch((e) => { yaml.textContent = e.message; });
    const server = basePath === '/' ? location.origin : `${location.origin}${basePath}api`;
    const commands = h('div');
    const draw = () => put(commands,
      h('h3', {}, 'From the definition file'), h('pre', { class: 'code' }, `tracetest run test --file ${file.value} --server-url ${server}`),
      h('h3', {}, 'By test ID'), h('pre', { class: 'code' }, `tracetest run test --id ${test.id} --server-url ${server}`),
      h('h3', {}, 'With a JUnit report'), h('pre', { class: 'code' }, `tracetest run test --file ${file.value} --junit result.junit --server-url ${server}`));
    draw();
    // Fetched rather than followed: a server with an API token answers a plain link 401.
    const junitName = `${this.testId}-run-${this.runId}.junit.xml`;
    const junitError = errorBox();
    const junitLink = h('a', {
      href: runs.junitUrl(this.testId, this.runId),
      download: junitName,
      onclick: (event) => {
        event.preventDefault();
        junitError.set(null);
        runs.junit(this.testId, this.runId)
          .then((xml) => saveFile(xml, junitName, 'application/xml'))
          .catch((error) => junitError.set(error));
      },
    }, 'JUnit report');
    return h('div', { class: 'two-col' },
      h('section', { class: 'card' }, h('h2', {}, 'Test Definition'), field('File name', file), yaml),
      h('section', { class: 'card' }, h('h2', {}, 'Run with the CLI'), commands,
        h('h3', {}, 'Reports and links'),
        h('p', {}, junitLink, ' of this run (XML).'), junitError.el,
        h('p', {}, 'Link to this run: ', h('span', { class: 'mono' }, url(`${this.runPath}/test`)))));
  }
}

/** Headers or metadata ([{key, value}]) as a table. */
function headerTable(headers) {
  if (!headers.length) return h('p', { class: 'muted' }, 'None');
  return kvTable(headers.map((p) => [p.key, p.value]));
}

/** The run's events, one line each. */
function eventList(events) {
  if (!events.length) return h('p', { class: 'muted' }, 'No events yet.');
  return h('ol', { class: 'event-log' }, events.map((e) => h('li', { class: /ERROR|FAILED/.test(e.type) ? 'fail' : '' },
    h('time', { datetime: e.createdAt }, isSet(e.createdAt) ? new Date(e.createdAt).toLocaleTimeString() : ''), ' ',
    h('span', { class: 'stage' }, e.stage), ' ', h('b', {}, e.title), e.description ? ` — ${e.description}` : '',
    e.polling?.periodic ? h('span', { class: 'muted' }, ` (${e.polling.periodic.numberSpans ?? 0} spans, iteration ${e.polling.periodic.numberIterations ?? 0})`) : null)));
}

