// The Test tab's right panel: the test's specs with their results per assertion and per span, the form that adds or
// edits a spec (a Selector that highlights the spans it matches as you type, Assertions that complete attribute
// names), the outputs, and Save (a new test version, then a rerun on the same trace).

import { h, put, field, errorBox, busy, debounce, plural, uniqueId } from './dom.js';
import { resources, runs, writableSpec } from './api.js';
import { balanced, spanNameById } from './trace-view.js';

const quote = (text) => `"${String(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The selector of one span: its type and name (and service when known). */
export function selectorFor(span) {
  if (!span) return '';
  const a = span.attributes || {};
  const parts = [`tracetest.span.type=${quote(a['tracetest.span.type'] || 'general')}`];
  if (a['service.name']) parts.push(`service.name=${quote(a['service.name'])}`);
  parts.push(`name=${quote(span.name)}`);
  return `span[${parts.join(' ')}]`;
}

/** `attr:key = value`, the value quoted unless it is a number or a duration. */
export function assertionFor(key, value) {
  const v = String(value);
  const bare = /^-?\d+(\.\d+)?$/.test(v) || /^\d+(\.\d+)?(ns|us|µs|ms|s|m|h)$/.test(v);
  return `attr:${key} = ${bare ? v : quote(v)}`;
}

function specPassed(result) {
  const list = result?.results || [];
  return list.length > 0 && list.every((a) => a.allPassed);
}

export class SpecsPanel {
  /**
   * ctx: {testId, runId, run, specs, outputs, tree, view() → TraceView, span() → selected span, loadSpan(id),
   * selectSpan(id), navigate(path)}
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.original = { specs: structuredClone(ctx.specs || []), outputs: structuredClone(ctx.outputs || []) };
    this.tab = 'specs';
    this.errors = errorBox();
    this.formSlot = h('div');
    this.body = h('div');
    this.head = h('div', { class: 'spec-head' });
    this.tabs = h('div', { class: 'subtabs', role: 'tablist', 'aria-label': 'Specs and outputs' });
    this.el = h('section', { class: 'panel specs', 'aria-label': 'Test specs' }, this.tabs, this.head, this.errors.el, this.formSlot, this.body);
    this.revert();
  }

  revert() {
    this.specs = structuredClone(this.original.specs);
    this.outputs = structuredClone(this.original.outputs);
    this.results = structuredClone(this.ctx.run.result?.results || []);
    this.changes = 0;
    this.preview = false;
    this.active = -1;
    put(this.formSlot);
    this.draw();
    this.markTrace();
  }

  draw() {
    const tab = (name, label, count) => h('button', { type: 'button', role: 'tab', 'aria-label': label, 'aria-selected': String(this.tab === name),
      onclick: () => { this.tab = name; put(this.formSlot); this.draw(); } }, `${label} (${count})`);
    put(this.tabs, tab('specs', 'Specs', this.specs.length), tab('outputs', 'Outputs', this.outputs.length));
    const save = h('button', { type: 'button', class: 'primary', onclick: () => busy(save, this.errors, () => this.save()) }, 'Save');
    const passed = this.results.filter(specPassed).length;
    put(this.head,
      this.tab === 'specs'
        ? [h('span', { class: 'muted' }, this.results.length ? `${passed} specs passed, ${this.results.length - passed} failed` : 'No results yet'),
          h('button', { type: 'button', onclick: () => this.openSpecForm(-1) }, 'Add Test Spec')]
        : h('button', { type: 'button', onclick: () => this.openOutputForm() }, 'Add Test Output'),
      this.changes ? [h('span', { class: 'pending' }, plural(this.changes, 'pending change')),
        h('button', { type: 'button', onclick: () => this.revert() }, 'Revert All'), save] : null);
    put(this.body, this.tab === 'specs' ? this.specList() : this.outputList());
  }

  specList() {
    if (!this.specs.length) return h('p', { class: 'empty' }, 'No test specs yet. Select a span and use Add Test Spec.');
    return this.specs.map((spec, i) => {
      const result = this.results[i];
      const passed = specPassed(result);
      const title = spec.name || spec.selector || 'All Spans';
      const spanIds = new Set((result?.results || []).flatMap((a) => (a.spanResults || []).map((r) => r.spanId).filter(Boolean)));
      const status = !result ? 'pending' : passed ? 'pass' : 'fail';
      return h('article', { class: `spec card ${status} ${this.active === i ? 'active' : ''}` },
        h('header', {},
          h('button', { type: 'button', class: 'link spec-title', 'aria-expanded': String(this.active === i), onclick: () => this.focusSpec(i) }, title),
          h('span', { class: status }, !result ? 'Pending' : passed ? '✔ Passed' : '✘ Failed'),
          h('span', { class: 'muted' }, ` • ${plural(spanIds.size, 'span')}${this.preview ? ' • preview' : ''}`),
          h('span', { class: 'grow' }),
          h('button', { type: 'button', class: 'small', 'aria-label': `Edit spec ${i + 1}`, onclick: () => this.openSpecForm(i) }, 'Edit'),
          h('button', { type: 'button', class: 'small', 'aria-label': `Delete spec ${i + 1}`, onclick: () => this.removeSpec(i) }, 'Delete')),
        spec.name ? h('div', { class: 'mono small muted' }, spec.selector || 'All Spans') : null,
        h('ul', { class: 'assertions' }, (spec.assertions || []).map((assertion, k) => {
          const r = result?.results?.[k];
          const spans = r?.spanResults || [];
          const ok = spans.filter((s) => s.passed).length;
          return h('li', {},
            h('span', { class: !r ? 'muted' : r.allPassed ? 'pass' : 'fail' }, !r ? '•' : r.allPassed ? '✔' : '✘'), ' ',
            h('span', { class: 'mono' }, assertion), r ? h('span', { class: 'muted' }, ` (${ok}/${spans.length})`) : null,
            spans.length === 1 && !spans[0].spanId && spans[0].error ? h('div', { class: 'error small' }, spans[0].error) : null,
            this.active === i && spans.length ? h('ul', { class: 'span-results' }, spans.slice(0, 200).map((s) => this.spanResult(s))) : null);
        })));
    });
  }

  spanResult(s) {
    const name = s.spanId ? spanNameById(this.ctx.tree, s.spanId) : 'no span matched';
    return h('li', {},
      h('span', { class: s.passed ? 'pass' : 'fail' }, s.passed ? '✔' : '✘'), ' ',
      s.spanId ? h('button', { type: 'button', class: 'link', onclick: () => this.ctx.selectSpan(s.spanId) }, name) : h('span', {}, name),
      h('span', { class: 'muted' }, ` observed: ${s.observedValue ?? ''}`),
      s.error ? h('div', { class: 'error small' }, s.error) : null);
  }

  focusSpec(i) {
    this.active = this.active === i ? -1 : i;
    this.draw();
    this.markTrace();
  }

  /** Marks the spans of the active spec (or of every spec) as passed/failed in the trace view. */
  markTrace() {
    const view = this.ctx.view();
    if (!view) return;
    const marks = new Map();
    this.results.forEach((result, i) => {
      if (this.active >= 0 && i !== this.active) return;
      for (const a of result?.results || []) {
        for (const r of a.spanResults || []) if (r.spanId && marks.get(r.spanId) !== 'fail') marks.set(r.spanId, r.passed ? 'pass' : 'fail');
      }
    });
    view.setMarks(marks);
    view.setHighlight(this.active >= 0 ? [...marks.keys()] : []);
  }

  /** Adds (index -1) or edits spec `index`; `preset` fills a new spec ({selector, assertion}). */
  openSpecForm(index, preset = {}) {
    this.tab = 'specs';
    const editing = index >= 0 ? this.specs[index] : null;
    const span = this.ctx.span();
    const selector = h('input', { class: 'mono', value: editing ? editing.selector || '' : preset.selector ?? selectorFor(span), autocomplete: 'off' });
    const matched = h('span', { class: 'muted', 'aria-live': 'polite' });
    const selectorError = errorBox();
    const listId = uniqueId('attributes');
    const datalist = h('datalist', { id: listId });
    const rows = h('div');
    const assertions = editing ? [...(editing.assertions || [])] : [preset.assertion || ''];
    const name = h('input', { value: editing?.name || '' });
    const errors = errorBox();
    const known = new Set();

    const addOptions = (s) => {
      for (const [key, value] of Object.entries(s?.attributes || {})) {
        for (const option of [`attr:${key}`, assertionFor(key, value)]) {
          if (known.has(option) || option.length > 300) continue;
          known.add(option);
          datalist.append(h('option', { value: option }));
        }
      }
    };
    const drawRows = () => put(rows, assertions.map((text, i) => h('div', { class: 'assertion-row' },
      field(i ? `Assertion ${i + 1}` : 'Assertion', h('input', { class: 'mono', list: listId, value: text, autocomplete: 'off',
        placeholder: 'attr:http.status_code = 200', oninput: (e) => { assertions[i] = e.target.value; } })),
      assertions.length > 1 ? h('button', { type: 'button', class: 'link', 'aria-label': `Remove assertion ${i + 1}`, onclick: () => { assertions.splice(i, 1); drawRows(); } }, '✕') : null)));
    let seq = 0;
    const check = async () => {
      const query = selector.value.trim();
      const mine = ++seq;
      selectorError.set();
      if (query && !balanced(query)) { matched.textContent = 'Incomplete selector'; return; }
      try {
        const answer = await runs.select(this.ctx.testId, this.ctx.runId, query);
        if (mine !== seq) return;
        const ids = answer?.spanIds || [];
        matched.textContent = `${plural(ids.length, 'span')} selected`;
        this.ctx.view()?.setHighlight(ids);
        // Complete with the attributes of a few matched spans too.
        for (const id of ids.slice(0, 3)) this.ctx.loadSpan(id).then(addOptions).catch(() => {});
      } catch (error) {
        if (mine === seq) { matched.textContent = ''; selectorError.set(error); }
      }
    };
    selector.addEventListener('input', debounce(check, 400));
    addOptions(span);
    drawRows();
    check();

    const saveSpec = h('button', { type: 'submit', class: 'primary' }, 'Save Test Spec');
    const form = h('form', { class: 'card spec-form', 'aria-label': 'Test spec', onsubmit: (e) => {
      e.preventDefault();
      errors.set();
      const lines = assertions.map((a) => a.trim()).filter(Boolean);
      if (!lines.length) return errors.set(new Error('Write at least one assertion, e.g. attr:http.status_code = 200'));
      const spec = { selector: selector.value.trim(), assertions: lines };
      if (name.value.trim()) spec.name = name.value.trim();
      if (editing) { this.specs[index] = spec; this.results[index] = undefined; } else { this.specs.push(spec); }
      this.changes++;
      put(this.formSlot);
      this.draw();
      this.dryRun();
    } },
    h('h3', {}, editing ? 'Edit Test Spec' : 'Add Test Spec'),
    field('Selector', selector, 'Empty selects all spans, e.g. span[tracetest.span.type="http"]'), matched, selectorError.el,
    rows, datalist,
    h('button', { type: 'button', class: 'small', onclick: () => { assertions.push(''); drawRows(); } }, 'Add assertion'),
    field('Spec name', name),
    h('div', { class: 'actions' }, saveSpec, h('button', { type: 'button', onclick: () => { put(this.formSlot); this.markTrace(); } }, 'Cancel')),
    errors.el);
    put(this.formSlot, form);
    this.draw();
    selector.focus();
  }

  removeSpec(i) {
    this.specs.splice(i, 1);
    this.results.splice(i, 1);
    if (this.active === i) this.active = -1;
    this.changes++;
    this.draw();
    this.markTrace();
  }

  /** Previews the edited specs on this run's trace (nothing is stored). */
  async dryRun() {
    try {
      const answer = await runs.dryRun(this.ctx.testId, this.ctx.runId, this.specs);
      this.results = answer?.results || [];
      this.preview = true;
    } catch (error) {
      this.errors.set(error);
    }
    this.draw();
    this.markTrace();
  }

  outputList() {
    if (!this.outputs.length) return h('p', { class: 'empty' }, 'No outputs. Outputs export a value of the trace to the variables of later steps.');
    const values = new Map((this.ctx.run.outputs || []).map((o) => [o.name, o]));
    return this.outputs.map((output, i) => {
      const value = values.get(output.name);
      return h('article', { class: 'card output' },
        h('header', {}, h('b', {}, output.name), h('span', { class: 'grow' }),
          h('button', { type: 'button', class: 'small', 'aria-label': `Delete output ${output.name}`, onclick: () => { this.outputs.splice(i, 1); this.changes++; this.draw(); } }, 'Delete')),
        h('div', { class: 'mono small' }, output.selector || 'All Spans'),
        h('div', { class: 'mono small' }, output.value),
        value ? h('div', { class: value.error ? 'error small' : 'small' }, value.error || `= ${value.value}`) : h('div', { class: 'muted small' }, 'Not resolved in this run'));
    });
  }

  openOutputForm() {
    const name = h('input', { autocomplete: 'off' });
    const selector = h('input', { class: 'mono', value: selectorFor(this.ctx.span()) });
    const value = h('input', { class: 'mono', placeholder: 'attr:http.status_code' });
    const errors = errorBox();
    put(this.formSlot, h('form', { class: 'card spec-form', 'aria-label': 'Test output', onsubmit: (e) => {
      e.preventDefault();
      if (!name.value.trim() || !value.value.trim()) return errors.set(new Error('An output needs a name and a value'));
      if (this.outputs.some((o) => o.name === name.value.trim())) return errors.set(new Error('An output with this name exists'));
      this.outputs.push({ name: name.value.trim(), selector: selector.value.trim(), value: value.value.trim() });
      this.changes++;
      put(this.formSlot);
      this.draw();
    } },
    h('h3', {}, 'Add Test Output'), field('Output name', name), field('Selector', selector), field('Value', value),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save Test Output'),
      h('button', { type: 'button', onclick: () => put(this.formSlot) }, 'Cancel')), errors.el));
  }

  /** Stores the specs and outputs as a new test version, then reruns this run's trace and opens the new run. */
  async save() {
    const latest = (await resources.get('tests', this.ctx.testId)).spec;
    await resources.update('tests', 'Test', writableSpec({ ...latest, specs: this.specs, outputs: this.outputs }));
    const rerun = await runs.rerun(this.ctx.testId, this.ctx.runId);
    this.ctx.navigate(`test/${encodeURIComponent(this.ctx.testId)}/run/${rerun.id}/test`);
  }
}
