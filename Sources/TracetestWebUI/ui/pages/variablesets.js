// /variablesets: every variable set with its values; Create and Edit (name, description, key/value rows), Delete.

import { h, put, field, boundInput, kvTable, errorBox, busy, confirmDialog, debounce } from '../dom.js';
import { resources } from '../api.js';

/** The variable set form: Name, Description and the key/value rows. `onSave(spec)` stores it. */
function variableSetForm(set, onSave, onCancel) {
  const spec = { name: '', description: '', ...structuredClone(set) };
  spec.values = spec.values?.length ? spec.values : [{ key: '', value: '' }];
  const errors = errorBox();
  const rows = h('div', { class: 'pairs' });
  const draw = () => put(rows, spec.values.map((pair, i) => h('div', { class: 'pair' },
    field(i ? `Key ${i + 1}` : 'Key', h('input', { value: pair.key ?? '', oninput: (e) => { pair.key = e.target.value; } })),
    field(i ? `Value ${i + 1}` : 'Value', h('input', { value: pair.value ?? '', oninput: (e) => { pair.value = e.target.value; } })),
    h('button', { type: 'button', class: 'link', 'aria-label': `Remove value ${i + 1}`, onclick: () => { spec.values.splice(i, 1); draw(); } }, '✕'))));
  draw();
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
  return h('form', { class: 'card', 'aria-label': 'Variable set', onsubmit: (e) => {
    e.preventDefault();
    busy(save, errors, () => onSave({ ...spec, values: spec.values.filter((p) => p.key || p.value) }));
  } },
  field('Name', boundInput(spec, 'name')), field('Description', boundInput(spec, 'description')),
  h('fieldset', {}, h('legend', {}, 'Values'), rows,
    h('button', { type: 'button', class: 'small', onclick: () => { spec.values.push({ key: '', value: '' }); draw(); } }, 'Add value')),
  h('div', { class: 'actions' }, save, h('button', { type: 'button', onclick: onCancel }, 'Cancel')), errors.el);
}

export function mount(main) {
  const errors = errorBox();
  const list = h('div', { class: 'list', 'aria-live': 'polite' });
  const formSlot = h('div');
  const search = h('input', { type: 'search', placeholder: 'Search variable set', 'aria-label': 'Search variable sets', oninput: debounce(() => load(), 300) });
  let generation = 0; // counts load() calls: only the latest one's answer is shown
  const closeForm = () => put(formSlot);
  const create = h('button', { type: 'button', class: 'primary', onclick: () => put(formSlot, h('h2', {}, 'Create Variable Set'),
    variableSetForm({}, async (spec) => { await resources.create('variablesets', 'VariableSet', spec); closeForm(); await load(); }, closeForm)) }, 'Create');

  async function load() {
    const gen = ++generation;
    errors.set();
    try {
      const page = await resources.list('variablesets', { take: 200, query: search.value });
      if (gen !== generation) return;
      put(list, page.items.length ? page.items.map(({ spec }) => card(spec))
        : h('p', { class: 'empty' }, search.value ? 'No variable set matches the search.' : 'No variable sets yet. Use Create to make one.'));
    } catch (error) {
      errors.set(error);
    }
  }

  function card(set) {
    const cardErrors = errorBox();
    const el = h('article', { class: 'card item' });
    const edit = h('button', { type: 'button', onclick: () => put(el, h('h3', {}, `Edit ${set.name}`),
      variableSetForm(set, async (spec) => { await resources.update('variablesets', 'VariableSet', spec); await load(); }, () => load())) }, 'Edit');
    const del = h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!(await confirmDialog(`Delete the variable set "${set.name}"?`))) return;
      busy(del, cardErrors, async () => { await resources.remove('variablesets', set.id); await load(); });
    } }, 'Delete');
    const values = set.values || [];
    return put(el,
      h('div', { class: 'item-main' }, h('h3', {}, set.name), set.description ? h('p', { class: 'muted' }, set.description) : null,
        values.length ? kvTable(values.map((v) => [v.key, v.value])) : h('p', { class: 'muted' }, 'No values.')),
      h('div', { class: 'item-actions' }, edit, del), cardErrors.el);
  }

  put(main, h('div', { class: 'page-head' }, h('h1', {}, 'All Variable Sets'), create), formSlot,
    h('div', { class: 'toolbar' }, search), errors.el, list);
  load();
}
