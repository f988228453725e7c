// /testsuites: every test suite, a search box, "Create" (name, description, ordered steps) and "Run" per suite.

import { h, put, field, boundInput, errorBox, busy, debounce, timeAgo } from '../dom.js';
import { resources, suiteRuns, writableSpec } from '../api.js';
import { navigate } from '../app.js';

/** Starts a run of the suite and opens it. */
export async function runSuiteAndOpen(suiteId) {
  const run = await suiteRuns.start(suiteId);
  navigate(`testsuite/${encodeURIComponent(suiteId)}/run/${run.id}`);
}

/** The suite form: Name, Description and the ordered steps (tests). `onSave(spec)` stores it. */
export function suiteForm(suite, onSave, onCancel) {
  const spec = { name: '', description: '', ...structuredClone(suite), steps: [...(suite.steps || [])] };
  const errors = errorBox();
  const names = new Map();
  const picker = h('select', {}, h('option', { value: '' }, 'Loading tests…'));
  const stepList = h('ol', { class: 'steps' });
  resources.list('tests', { take: 200, sortBy: 'name', sortDirection: 'asc' }).then((page) => {
    for (const { spec: test } of page.items) names.set(test.id, test.name || test.id);
    put(picker, h('option', { value: '' }, 'Choose a test'), [...names].map(([id, name]) => h('option', { value: id }, name)));
    drawSteps();
  }).catch((error) => errors.set(error));
  const move = (i, d) => { const [s] = spec.steps.splice(i, 1); spec.steps.splice(i + d, 0, s); drawSteps(); };
  function drawSteps() {
    put(stepList, spec.steps.length ? spec.steps.map((id, i) => h('li', {},
      h('span', { class: 'grow' }, names.get(id) || id),
      h('button', { type: 'button', class: 'small', 'aria-label': `Move step ${i + 1} up`, disabled: i === 0, onclick: () => move(i, -1) }, '↑'),
      h('button', { type: 'button', class: 'small', 'aria-label': `Move step ${i + 1} down`, disabled: i === spec.steps.length - 1, onclick: () => move(i, 1) }, '↓'),
      h('button', { type: 'button', class: 'small', 'aria-label': `Remove step ${i + 1}`, onclick: () => { spec.steps.splice(i, 1); drawSteps(); } }, 'Remove')))
      : h('li', { class: 'muted' }, 'No steps yet.'));
  }
  drawSteps();
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
  return h('form', { class: 'card', 'aria-label': 'Test suite', onsubmit: (e) => {
    e.preventDefault();
    busy(save, errors, () => onSave(writableSpec(spec)));
  } },
  field('Name', boundInput(spec, 'name')), field('Description', boundInput(spec, 'description')),
  h('fieldset', {}, h('legend', {}, 'Steps'), stepList,
    h('div', { class: 'row' }, field('Add a test', picker),
      h('button', { type: 'button', onclick: () => { if (picker.value) { spec.steps.push(picker.value); drawSteps(); } } }, 'Add step'))),
  h('div', { class: 'actions' }, save, onCancel ? h('button', { type: 'button', onclick: onCancel }, 'Cancel') : null), errors.el);
}

export function mount(main) {
  const errors = errorBox();
  const list = h('div', { class: 'list', 'aria-live': 'polite' });
  const formSlot = h('div');
  const search = h('input', { type: 'search', placeholder: 'Search test suite', 'aria-label': 'Search test suites', oninput: debounce(() => load(), 300) });
  let generation = 0; // counts load() calls: only the latest one's answer is shown
  const create = h('button', { type: 'button', class: 'primary', onclick: () => put(formSlot, h('h2', {}, 'Create a new test suite'),
    suiteForm({}, async (spec) => {
      const created = await resources.create('testsuites', 'TestSuite', spec);
      navigate(`testsuite/${encodeURIComponent(created.spec.id)}`);
    }, () => put(formSlot))) }, 'Create');

  async function load() {
    const gen = ++generation;
    errors.set();
    try {
      const page = await resources.list('testsuites', { take: 100, query: search.value });
      if (gen !== generation) return;
      put(list, page.items.length ? page.items.map(({ spec }) => card(spec))
        : h('p', { class: 'empty' }, search.value ? 'No test suite matches the search.' : "Haven't created a test suite yet. Use Create to make one."));
    } catch (error) {
      errors.set(error);
    }
  }

  function card(suite) {
    const runErrors = errorBox();
    const run = h('button', { type: 'button', onclick: () => busy(run, runErrors, () => runSuiteAndOpen(suite.id)) }, 'Run');
    const last = suite.summary?.lastRun;
    return h('article', { class: 'card item' },
      h('div', { class: 'item-main' },
        h('h3', {}, h('a', { href: `testsuite/${encodeURIComponent(suite.id)}` }, suite.name || suite.id)),
        h('div', { class: 'muted' }, `${(suite.steps || []).length} steps • ${suite.summary?.runs || 0} runs • Last run: `, last ? timeAgo(last.time) : '–',
          last && (last.passes || last.fails) ? h('span', {}, ' ', h('span', { class: 'pass' }, `✔ ${last.passes}`), ' ', h('span', { class: 'fail' }, `✘ ${last.fails}`)) : null)),
      h('div', { class: 'item-actions' }, run), runErrors.el);
  }

  put(main, h('div', { class: 'page-head' }, h('h1', {}, 'All Test Suites'), create), formSlot,
    h('div', { class: 'toolbar' }, search), errors.el, list);
  load();
}
