// Small DOM helpers (elements, form controls bound to objects, dialogs) and the display of runs, shared by every page.

/** Creates an element: h('button', {class: 'x', onclick: f}, 'text', child). `on<event>` keys add listeners. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [key, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (key.startsWith('on') && typeof v === 'function') el.addEventListener(key.slice(2), v);
    else if (key === 'value') value = v;
    else if (key === 'class') el.className = v;
    else el.setAttribute(key, v === true ? '' : v);
  }
  append(el, children);
  if (value !== undefined) el.value = value;
  return el;
}

/** Appends children (nodes, text, nested arrays; null and false are skipped) to `el`. */
export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces the children of `el`. */
export function put(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let idCount = 0;
/** An id unique in the page, e.g. "field-3". */
export const uniqueId = (prefix) => `${prefix}-${++idCount}`;

/** A labelled control: <label for> + the control (+ an optional hint). */
export function field(label, control, hint) {
  if (!control.id) control.id = uniqueId('field');
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control,
    hint ? h('small', { class: 'muted' }, hint) : null);
}

/** A text input (a textarea when props.rows is set) bound to obj[key]; `type: 'number'` stores numbers. */
export function boundInput(obj, key, props = {}) {
  return h(props.rows ? 'textarea' : 'input', { ...props, value: obj[key] ?? '', oninput: (e) => {
    obj[key] = props.type === 'number' ? (e.target.value === '' ? undefined : Number(e.target.value)) : e.target.value;
  } });
}

/** A text input bound to the array obj[key], edited as comma-separated text. */
export function boundList(obj, key) {
  return h('input', { value: (obj[key] || []).join(', '), oninput: (e) => {
    obj[key] = e.target.value.split(',').map((s) => s.trim()).filter(Boolean);
  } });
}

/** A checkbox with its label after it. */
export function checkbox(label, checked, onchange) {
  const input = h('input', { type: 'checkbox', id: uniqueId('field'), checked: !!checked, onchange });
  return { input, el: h('div', { class: 'check' }, input, h('label', { for: input.id }, label)) };
}

/** A labelled checkbox bound to the boolean obj[key]. */
export function boundCheckbox(obj, key, label) {
  return checkbox(label, obj[key], (e) => { obj[key] = e.target.checked; }).el;
}

/** Radio buttons drawn as a segmented control. `choices` is [[value, label]]; `onchange(value, label)`. */
export function radioGroup(legend, choices, selected, onchange) {
  const name = uniqueId('radio');
  return h('fieldset', { class: 'segmented' }, h('legend', {}, legend), choices.map(([value, label]) => {
    const input = h('input', { type: 'radio', name, id: `${name}-${value}`, value, checked: value === selected,
      onchange: () => onchange(value, label) });
    return h('span', {}, input, h('label', { for: input.id }, label));
  }));
}

/** A two-column table of [name, value] rows. */
export function kvTable(rows) {
  return h('table', { class: 'kv' }, h('tbody', {}, rows.map(([name, value]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, value)))));
}

/** An error message as a paragraph announced to screen readers. */
export const errorText = (message) => h('p', { class: 'error', role: 'alert' }, message);

/** "1 span", "3 spans". */
export const plural = (count, noun) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** Offers `text` to the user as a file named `name` (what a download link does, for content fetched with the token). */
export function saveFile(text, name, type) {
  const href = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** A place to show an API error next to the control that caused it; set(err) shows it, set() hides it. */
export function errorBox() {
  const el = h('p', { class: 'error', role: 'alert', hidden: true });
  return {
    el,
    set(error) {
      el.textContent = error ? (error.message || String(error)) : '';
      el.hidden = !error;
    },
  };
}

/** Runs `action` with `button` disabled, showing a failure in `errors`. */
export async function busy(button, errors, action) {
  button.disabled = true;
  errors?.set();
  try {
    return await action();
  } catch (error) {
    if (errors) errors.set(error); else throw error;
  } finally {
    button.disabled = false;
  }
}

/** Asks a yes/no question in a modal dialog; resolves true when confirmed. */
export function confirmDialog(message) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-label': 'Confirmation' },
      h('p', {}, message),
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => close(false) }, 'Cancel'),
        h('button', { type: 'button', class: 'danger', onclick: () => close(true) }, 'Confirm')));
    function close(answer) {
      dialog.close();
      dialog.remove();
      resolve(answer);
    }
    dialog.addEventListener('cancel', () => close(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** `fn`, run only once calls have paused for `ms` milliseconds (e.g. a search as you type). */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** `12ms`-style text for a duration in nanoseconds. */
export function formatNs(ns) {
  ns = Number(ns) || 0;
  if (ns < 1e3) return `${Math.round(ns)}ns`;
  if (ns < 1e6) return `${Math.round(ns / 1e3)}µs`;
  if (ns < 1e9) return `${Math.round(ns / 1e6)}ms`;
  if (ns < 60e9) return `${(ns / 1e9).toFixed(ns < 10e9 ? 2 : 1).replace(/\.?0+$/, '')}s`;
  const s = Math.round(ns / 1e9);
  return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
}

/** Whether a timestamp from the API is set (Go's zero time and the epoch mean "not yet"). */
export function isSet(time) {
  return !!time && !time.startsWith('0001-') && !time.startsWith('1970-');
}

/** "3 min ago"-style text; the element's title holds the absolute time. */
export function timeAgo(time) {
  if (!isSet(time)) return h('span', {}, '–');
  const date = new Date(time);
  const s = Math.round((Date.now() - date) / 1000);
  const text = s < 45 ? 'just now' : s < 3600 ? `${Math.round(s / 60)} min ago`
    : s < 86400 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86400)} d ago`;
  return h('time', { datetime: time, title: date.toLocaleString() }, text);
}

// Runs: their states, results and one-line summaries.

const STATE_LABELS = {
  CREATED: 'Created', EXECUTING: 'Running', AWAITING_TRACE: 'Awaiting trace',
  ANALYZING_TRACE: 'Linting Trace', AWAITING_TEST_RESULTS: 'Awaiting test results', FINISHED: 'Finished',
  STOPPED: 'Stopped by user', TRIGGER_FAILED: 'Trigger Failed', TRACE_FAILED: 'Trace Failed',
  ASSERTION_FAILED: 'Test Specs Failed', ANALYZING_ERROR: 'Lint Error', WAITING: 'Waiting',
  SKIPPED: 'Skipped', FAILED: 'Failed',
};
const FAILED_STATES = ['TRIGGER_FAILED', 'TRACE_FAILED', 'ASSERTION_FAILED', 'ANALYZING_ERROR', 'FAILED'];

const stateLabel = (state) => STATE_LABELS[state] || state || 'Unknown';
/** Whether a run (or a suite run) in `state` is over. */
export const isFinished = (state) => state === 'FINISHED' || state === 'STOPPED' || FAILED_STATES.includes(state);

/** Passed and failed span-level assertion results of a run. */
export function counts(run) {
  let passed = 0, failed = 0;
  for (const spec of run?.result?.results || []) {
    for (const assertion of spec.results || []) {
      for (const r of assertion.spanResults || []) r.passed ? passed++ : failed++;
    }
  }
  return { passed, failed };
}

/** 'running' | 'passed' | 'failed' | 'stopped': the colour of a run. */
function runTone(run) {
  if (!run || !isFinished(run.state)) return 'running';
  if (run.state === 'STOPPED') return 'stopped';
  if (FAILED_STATES.includes(run.state)) return 'failed';
  if (run.result?.allPassed === false || run.requiredGatesResult?.passed === false) return 'failed';
  return 'passed';
}

/** The state of a run as a coloured word, with its verdict once finished. */
export function stateBadge(run) {
  const tone = runTone(run);
  const verdict = tone === 'passed' ? ' ✔ Passed' : tone === 'failed' && run.state === 'FINISHED' ? ' ✘ Failed' : '';
  return h('span', { class: `badge ${tone}` }, stateLabel(run?.state) + verdict);
}

/** The state of a test suite run as a coloured word. */
export function suiteStateBadge(run) {
  const tone = !isFinished(run.state) ? 'running' : run.state === 'FAILED' || !run.allStepsRequiredGatesPassed ? 'failed' : 'passed';
  return h('span', { class: `badge ${tone}` }, stateLabel(run.state));
}

/** The one-line summary of a trigger: "HTTP • GET • http://…". */
export function triggerSummary(trigger) {
  const t = trigger || {};
  switch (t.type) {
    case 'http': return `HTTP • ${t.httpRequest?.method || 'GET'} • ${t.httpRequest?.url || ''}`;
    case 'grpc': return `gRPC • ${t.grpc?.address || ''} • ${t.grpc?.method || ''}`;
    case 'kafka': return `Kafka • ${(t.kafka?.brokerUrls || []).join(', ')} • ${t.kafka?.topic || ''}`;
    case 'graphql': return `GraphQL • ${t.graphql?.url || ''}`;
    case 'traceid': return `TraceID • ${t.traceid?.id || ''}`;
    default: return t.type ? t.type : 'No trigger';
  }
}

/** Pretty-prints JSON text; other text is returned as it is. */
export function prettyJSON(text) {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object') return JSON.stringify(value, null, 2);
  } catch { /* not JSON */ }
  return text;
}
