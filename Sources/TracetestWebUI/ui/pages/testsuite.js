// /testsuite/:id: the suite's header (Run, Edit, Delete), its steps, its runs and its YAML definition.

import { h, put, errorBox, errorText, busy, confirmDialog, timeAgo, suiteStateBadge } from '../dom.js';
import { resources, suiteRuns } from '../api.js';
import { navigate } from '../app.js';
import { suiteForm, runSuiteAndOpen } from './testsuites.js';

export function mount(main, route) {
  const suiteId = route.params.suiteId;
  const id = encodeURIComponent(suiteId);
  const errors = errorBox();
  const head = h('div');
  const steps = h('ol', { class: 'steps' });
  const runList = h('div', { 'aria-live': 'polite' });
  const yaml = h('pre', { class: 'code' });
  let suite = null;

  async function load() {
    try {
      suite = (await resources.get('testsuites', suiteId)).spec;
    } catch (error) {
      return put(head, h('h1', {}, 'Test suite'), errorText(error.status === 404 ? `Test suite ${suiteId} not found.` : error.message));
    }
    drawHead();
    const tests = new Map((suite.fullSteps || []).map((t) => [t.id, t]));
    put(steps, (suite.steps || []).map((stepId) => h('li', {}, h('a', { href: `test/${encodeURIComponent(stepId)}` }, tests.get(stepId)?.name || stepId))));
    resources.yaml('testsuites', suiteId).then((text) => { yaml.textContent = text; }).catch(() => {});
    loadRuns();
  }

  function drawHead() {
    const run = h('button', { type: 'button', class: 'primary', onclick: () => busy(run, errors, () => runSuiteAndOpen(suiteId)) }, 'Run');
    const edit = h('button', { type: 'button', onclick: () => put(head, h('h1', {}, `Edit ${suite.name || suiteId}`),
      suiteForm(suite, async (spec) => { await resources.update('testsuites', 'TestSuite', spec); await load(); }, drawHead)) }, 'Edit');
    const del = h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!(await confirmDialog(`Delete the test suite "${suite.name || suiteId}" and its runs?`))) return;
      busy(del, errors, async () => { await resources.remove('testsuites', suiteId); navigate('testsuites'); });
    } }, 'Delete');
    put(head, h('a', { href: 'testsuites', class: 'back' }, '← All test suites'),
      h('div', { class: 'page-head' }, h('h1', {}, `${suite.name || suiteId} (v${suite.version ?? 1})`), h('div', { class: 'actions' }, run, edit, del)),
      suite.description ? h('p', {}, suite.description) : null);
  }

  async function loadRuns() {
    try {
      const list = await suiteRuns.list(suiteId, 50);
      put(runList, list?.length ? h('table', { class: 'runs' },
        h('thead', {}, h('tr', {}, ['Run', 'State', 'Started', 'Passed', 'Failed', 'Version'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, list.map((run) => h('tr', {},
          h('td', {}, h('a', { href: `testsuite/${id}/run/${run.id}` }, `Run #${run.id}`)),
          h('td', {}, suiteStateBadge(run)),
          h('td', {}, timeAgo(run.createdAt)), h('td', { class: 'pass' }, `✔ ${run.pass || 0}`), h('td', { class: 'fail' }, `✘ ${run.fail || 0}`),
          h('td', {}, `v${run.version}`)))))
        : h('p', { class: 'empty' }, 'No runs yet. Use Run to start one.'));
    } catch (error) {
      errors.set(error);
    }
  }

  put(main, head, errors.el, h('h2', {}, 'Steps'), steps, h('h2', {}, 'Runs'), runList,
    h('details', { class: 'card' }, h('summary', {}, 'Test suite definition (YAML)'), yaml));
  load();
  const timer = setInterval(() => suite && loadRuns(), 5000);
  return { unmount: () => clearInterval(timer) };
}
