// /testsuite/:id/run/:runId: a suite run's state and its steps (each test run with its result), live.

import { h, put, errorBox, errorText, kvTable, isFinished, suiteStateBadge, stateBadge, counts, triggerSummary, timeAgo } from '../dom.js';
import { suiteRuns, resources } from '../api.js';
import { watch } from '../live.js';

export function mount(main, route) {
  const { suiteId, runId } = route.params;
  const id = encodeURIComponent(suiteId);
  const errors = errorBox();
  const head = h('div');
  const steps = h('ol', { class: 'steps suite-steps', 'aria-live': 'polite' });
  const variables = h('div');
  let suite = null;
  let stop = null;

  function draw(run) {
    const done = isFinished(run.state);
    put(head, h('a', { href: `testsuite/${id}`, class: 'back' }, `← ${suite?.name || suiteId}`),
      h('h1', {}, `${suite?.name || suiteId} — Run #${run.id}`),
      h('div', { class: 'run-meta' }, h('span', {}, 'Status: ', suiteStateBadge(run)),
        h('span', { class: 'pass' }, `✔ ${run.pass || 0}`), h('span', { class: 'fail' }, `✘ ${run.fail || 0}`),
        h('span', { class: 'muted' }, `v${run.version}`), h('span', { class: 'muted' }, 'Started ', timeAgo(run.createdAt))),
      run.lastErrorState ? errorText(run.lastErrorState) : null);
    const ids = suite?.steps || [];
    const tests = new Map((suite?.fullSteps || []).map((t) => [t.id, t]));
    const count = Math.max(ids.length, (run.steps || []).length);
    put(steps, Array.from({ length: count }, (_, i) => {
      const stepRun = run.steps?.[i];
      const testId = ids[i];
      const test = tests.get(testId);
      const c = counts(stepRun);
      const outputs = stepRun?.outputs || [];
      return h('li', { class: 'card' },
        h('div', { class: 'row' },
          stepRun ? stateBadge(stepRun) : h('span', { class: 'badge stopped' }, done ? 'Skipped' : 'Waiting'),
          h('b', {}, `${test?.name || testId || `Step ${i + 1}`}${stepRun ? ` v${stepRun.testVersion}` : ''}`),
          h('span', { class: 'muted' }, triggerSummary(test?.trigger)),
          stepRun ? [h('span', { class: 'pass' }, `✔ ${c.passed}`), h('span', { class: 'fail' }, `✘ ${c.failed}`),
            h('a', { href: `test/${encodeURIComponent(testId)}/run/${stepRun.id}/test`, 'aria-label': `View run of step ${i + 1}` }, `Run #${stepRun.id}`)] : null),
        stepRun?.lastErrorState ? h('div', { class: 'error small' }, stepRun.lastErrorState) : null,
        outputs.length ? h('details', {}, h('summary', {}, 'Show Outputs'),
          kvTable(outputs.map((o) => [o.name, o.error || o.value]))) : null);
    }));
    const values = run.variableSet?.values || [];
    put(variables, values.length ? kvTable(values.map((v) => [v.key, v.value])) : h('p', { class: 'muted' }, 'No variables.'));
    if (done && stop) { stop(); stop = null; }
  }

  async function load() {
    try {
      const run = await suiteRuns.get(suiteId, runId);
      suite = await suiteRuns.version(suiteId, run.version).catch(() => resources.get('testsuites', suiteId).then((r) => r.spec));
      draw(run);
      if (!isFinished(run.state)) stop = watch(`testsuites/${suiteId}/run/${runId}`, () => suiteRuns.get(suiteId, runId), draw);
    } catch (error) {
      errors.set(error.status === 404 ? new Error(`Run ${runId} of test suite ${suiteId} not found.`) : error);
    }
  }

  put(main, head, errors.el, h('h2', {}, 'Execution Steps'), steps, h('h2', {}, 'Variables'), variables);
  load();
  return { unmount: () => stop?.() };
}
