// /tests: every test with its last run, a search box, "Create" (the test form) and "Run" per test.

import { h, put, field, errorBox, busy, debounce, timeAgo, stateBadge, counts, triggerSummary } from '../dom.js';
import { resources, runs } from '../api.js';
import { navigate } from '../app.js';
import { testForm } from '../test-form.js';

const SORTS = [['Last Run', 'last_run', 'desc'], ['Recently Created', 'created', 'desc'],
  ['Name, A to Z', 'name', 'asc'], ['Name, Z to A', 'name', 'desc']];
const PAGE = 20;

/** Starts a run of the test and opens the run's Trigger tab. */
export async function runAndOpen(testId) {
  const run = await runs.start(testId);
  navigate(`test/${encodeURIComponent(testId)}/run/${run.id}/trigger`);
}

export function mount(main) {
  const errors = errorBox();
  const list = h('div', { class: 'list', 'aria-live': 'polite' });
  const formSlot = h('div');
  const more = h('button', { type: 'button', hidden: true, onclick: () => load(true) }, 'Load more');
  const search = h('input', { type: 'search', placeholder: 'Search test', 'aria-label': 'Search tests', oninput: debounce(() => load(), 300) });
  const sort = h('select', { onchange: () => load() }, SORTS.map(([label], i) => h('option', { value: i }, label)));
  let items = [];
  let generation = 0; // counts load() calls: only the latest one's answer is shown

  const create = h('button', { type: 'button', class: 'primary', onclick: () => {
    put(formSlot, h('h2', {}, 'Create a new test'), testForm({ name: '', trigger: { type: 'http', httpRequest: { method: 'GET', url: '' } } }, [
      ['Save', async (spec) => {
        const created = await resources.create('tests', 'Test', spec);
        navigate(`test/${encodeURIComponent(created.spec.id)}`);
      }],
      ['Run', async (spec) => {
        const created = await resources.create('tests', 'Test', spec);
        await runAndOpen(created.spec.id);
      }],
    ], () => put(formSlot)));
    formSlot.querySelector('input')?.focus();
  } }, 'Create');

  /** Loads the first page of tests, or with `nextPage` the next one after those shown. */
  async function load(nextPage = false) {
    const gen = ++generation;
    const [, sortBy, sortDirection] = SORTS[sort.value];
    errors.set();
    try {
      const page = await resources.list('tests', { take: PAGE, skip: nextPage ? items.length : 0, query: search.value, sortBy, sortDirection });
      if (gen !== generation) return;
      items = nextPage ? items.concat(page.items) : page.items;
      more.hidden = items.length >= page.count;
      if (!items.length) {
        put(list, h('p', { class: 'empty' }, search.value ? 'No test matches the search.' : "Haven't Created a Test Yet. Use Create to make your first test."));
        return;
      }
      put(list, items.map((item) => card(item.spec)));
    } catch (error) {
      errors.set(error);
    }
  }

  function card(test) {
    const id = encodeURIComponent(test.id);
    const last = h('span', { class: 'muted' });
    const runErrors = errorBox();
    const summary = test.summary || {};
    if (summary.runs) {
      runs.list(test.id, 1).then((list) => {
        const run = list?.[0];
        if (!run) return;
        const c = counts(run);
        put(last, h('a', { href: `test/${id}/run/${run.id}/test` }, `#${run.id}`), ' ', stateBadge(run), ' ',
          h('span', { class: 'pass', title: 'Passed assertions' }, `✔ ${c.passed}`), ' ',
          h('span', { class: 'fail', title: 'Failed assertions' }, `✘ ${c.failed}`), ' ', timeAgo(run.createdAt));
      }).catch(() => {});
    } else {
      put(last, 'Not run yet');
    }
    const run = h('button', { type: 'button', onclick: () => busy(run, runErrors, () => runAndOpen(test.id)) }, 'Run');
    return h('article', { class: 'card item' },
      h('div', { class: 'item-main' },
        h('h3', {}, h('a', { href: `test/${id}` }, test.name || test.id)),
        h('div', { class: 'muted' }, triggerSummary(test.trigger)),
        h('div', {}, h('span', { class: 'muted' }, `${summary.runs || 0} runs • Last run: `), last)),
      h('div', { class: 'item-actions' }, run), runErrors.el);
  }

  put(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'All Tests'), create),
    formSlot,
    h('div', { class: 'toolbar' }, search, field('Sort by', sort)),
    errors.el, list, more);
  load();
}
