// /test/:id: the test's header (Run, Edit, Delete), its runs (live) and its YAML definition.

import { h, put, errorBox, errorText, busy, confirmDialog, timeAgo, stateBadge, counts, isFinished, triggerSummary } from '../dom.js';
import { resources, runs } from '../api.js';
import { navigate } from '../app.js';
import { watch } from '../live.js';
import { testForm } from '../test-form.js';
import { runAndOpen } from './tests.js';

export function mount(main, route) {
  const testId = route.params.testId;
  const id = encodeURIComponent(testId);
  const errors = errorBox();
  const head = h('div');
  const runList = h('div', { 'aria-live': 'polite' });
  const yaml = h('pre', { class: 'code' });
  const watching = new Map(); // runId -> stop()
  let test = null;
  let runItems = [];

  async function loadTest() {
    try {
      test = (await resources.get('tests', testId)).spec;
      drawHead();
      resources.yaml('tests', testId).then((text) => { yaml.textContent = text; }).catch(() => {});
    } catch (error) {
      put(head, h('h1', {}, 'Test'), error.status === 404 ? errorText(`Test ${testId} not found.`) : null);
      if (error.status !== 404) errors.set(error);
    }
  }

  function drawHead() {
    const run = h('button', { type: 'button', class: 'primary', onclick: () => busy(run, errors, () => runAndOpen(testId)) }, 'Run');
    const edit = h('button', { type: 'button', onclick: () => put(head, h('h1', {}, `Edit ${test.name || testId}`),
      testForm(test, [['Save', async (spec) => {
        await resources.update('tests', 'Test', spec);
        await loadTest();
      }]], drawHead)) }, 'Edit');
    const del = h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!(await confirmDialog(`Delete the test "${test.name || testId}" and all its runs?`))) return;
      busy(del, errors, async () => {
        await resources.remove('tests', testId);
        navigate('tests');
      });
    } }, 'Delete');
    put(head,
      h('a', { href: 'tests', class: 'back' }, '← All tests'),
      h('div', { class: 'page-head' }, h('h1', {}, `${test.name || testId} (v${test.version ?? 1})`), h('div', { class: 'actions' }, run, edit, del)),
      h('p', { class: 'muted' }, triggerSummary(test.trigger)),
      test.description ? h('p', {}, test.description) : null);
  }

  async function loadRuns() {
    try {
      runItems = (await runs.list(testId, 50)) || [];
      drawRuns();
      for (const run of runItems) {
        if (!isFinished(run.state) && !watching.has(run.id)) {
          watching.set(run.id, watch(`test/${testId}/run/${run.id}`, () => runs.get(testId, run.id), (update) => {
            const i = runItems.findIndex((r) => r.id === update.id);
            if (i >= 0) runItems[i] = { ...update, trace: undefined };
            drawRuns();
            if (isFinished(update.state)) { watching.get(update.id)?.(); watching.delete(update.id); }
          }));
        }
      }
    } catch (error) {
      if (error.status !== 404) errors.set(error);
    }
  }

  function drawRuns() {
    if (!runItems.length) return put(runList, h('p', { class: 'empty' }, 'No runs yet. Use Run to start one.'));
    put(runList, h('table', { class: 'runs' },
      h('thead', {}, h('tr', {}, ['Run', 'State', 'Started', 'Duration', 'Passed', 'Failed', 'Version'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, runItems.map((run) => {
        const c = counts(run);
        return h('tr', {},
          h('td', {}, h('a', { href: `test/${id}/run/${run.id}/test` }, `Run #${run.id}`)),
          h('td', {}, stateBadge(run), run.lastErrorState ? h('div', { class: 'muted small' }, run.lastErrorState) : null),
          h('td', {}, timeAgo(run.createdAt)),
          h('td', {}, isFinished(run.state) ? `${run.executionTime}s` : '…'),
          h('td', { class: 'pass' }, `✔ ${c.passed}`),
          h('td', { class: 'fail' }, `✘ ${c.failed}`),
          h('td', {}, `v${run.testVersion}`));
      }))));
  }

  put(main, head, errors.el, h('h2', {}, 'Runs'), runList,
    h('details', { class: 'card' }, h('summary', {}, 'Test definition (YAML)'), yaml));
  loadTest().then(loadRuns);
  // Runs started elsewhere (the CLI, a suite) appear without a reload.
  const refreshTimer = setInterval(loadRuns, 5000);
  return {
    unmount() {
      clearInterval(refreshTimer);
      for (const stop of watching.values()) stop();
    },
  };
}
