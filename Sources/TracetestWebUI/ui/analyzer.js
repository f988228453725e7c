// The Trace tab's right panel: the trace analyzer's (linter's) results by plugin and rule, with the failing spans.

import { h, put, append, checkbox, plural } from './dom.js';
import { spanNameById } from './trace-view.js';

const tone = (score) => (score >= 90 ? 'pass' : score >= 60 ? 'warn' : 'fail');

/** @param linter the run's `linter`; @param tree the trace tree (span names); @param onSelect(spanId) */
export function analyzerPanel(linter, tree, onSelect) {
  const body = h('div');
  const onlyErrors = checkbox('Show only errors', false, draw);
  const el = h('section', { class: 'panel analyzer', 'aria-label': 'Analyzer results' }, h('h2', {}, 'Analyzer Results'), body);
  const plugins = linter?.plugins || [];

  function draw() {
    if (!plugins.length) {
      return put(body, h('p', { class: 'muted' }, 'There are no Analyzer results yet.'),
        h('p', {}, 'The analyzer may be disabled: ', h('a', { href: 'settings?tab=analyzer' }, 'Configure'), '.'));
    }
    const min = linter.minimumScore || 0;
    const passed = linter.score >= min && linter.passed;
    const errorsOnly = onlyErrors.input.checked;
    put(body,
      h('div', { class: 'score' },
        h('span', { class: `ring ${tone(linter.score)}`, 'aria-label': `Overall Trace Analyzer Score ${linter.score}%` }, `${linter.score}%`),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Minimum Acceptable Score'), h('dd', { class: linter.score >= min ? 'pass' : 'fail' }, `${min}%`),
          h('dt', {}, 'Errors Found'), h('dd', {}, linter.passed ? 'No' : 'Yes'),
          h('dt', {}, 'Result'), h('dd', { class: passed ? 'pass' : 'fail' }, passed ? 'Passed' : 'Failed'))),
      onlyErrors.el,
      plugins.filter((p) => !errorsOnly || p.score < 100 || !p.passed).map((plugin) => h('details', { class: 'plugin', open: !plugin.passed },
        h('summary', {}, h('span', { class: `ring small ${tone(plugin.score)}` }, `${plugin.score}%`), ' ', h('b', {}, plugin.name || plugin.id)),
        h('p', { class: 'muted' }, plugin.description || ''),
        (plugin.rules || []).filter((r) => !errorsOnly || !r.passed).map((rule) => ruleView(rule, errorsOnly)))));
  }

  function ruleView(rule, errorsOnly) {
    const results = (rule.results || []).filter((r) => !errorsOnly || !r.passed);
    const failed = results.filter((r) => !r.passed).length;
    const icon = rule.passed ? '✔' : rule.level === 'error' ? '✘' : '⚠';
    const list = h('ul', { class: 'rule-spans' });
    let shown = 0;
    // Spans are listed when the rule is opened, failing ones first, 100 at a time (a big trace has many).
    const ordered = () => results.slice().sort((x, y) => x.passed - y.passed);
    const more = (all) => {
      list.querySelector('.more')?.remove();
      const next = all.slice(shown, shown + 100);
      shown += next.length;
      append(list, next.map((r) => spanItem(rule, r)));
      if (shown < all.length) {
        list.append(h('li', { class: 'more' }, h('button', { type: 'button', class: 'small', onclick: () => more(all) }, `Show more (${all.length - shown} left)`)));
      }
    };
    return h('details', { class: 'rule', ontoggle: (e) => { if (e.target.open && !shown) more(ordered()); } },
      h('summary', {}, h('span', { class: rule.passed ? 'pass' : rule.level === 'error' ? 'fail' : 'warn' }, icon), ' ',
        h('span', { title: (rule.tips || []).join(' - ') }, rule.name || rule.id),
        rule.level === 'error' ? h('span', { class: 'muted' }, ` ${rule.weight}%`) : h('span', { class: 'muted' }, ` (${rule.level})`),
        failed ? h('span', { class: 'fail' }, ` ${plural(failed, 'failing span')}`) : null),
      h('p', { class: 'muted' }, rule.description || ''), list);
  }

  function spanItem(rule, r) {
    const name = spanNameById(tree, r.spanId);
    const errors = r.errors || [];
    const text = errors.length === 1 ? errors[0].description
      : errors.length ? `${rule.errorDescription || ''} ${errors.map((e) => e.value).join(', ')}` : '';
    return h('li', { class: r.passed ? '' : 'failed' },
      h('button', { type: 'button', class: `link ${r.passed ? '' : 'fail'}`, onclick: () => onSelect(r.spanId) }, name),
      text ? h('div', { class: 'small' }, text) : null);
  }

  draw();
  return el;
}
