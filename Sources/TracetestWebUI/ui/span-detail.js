// The panel of the selected span: name, service, status, duration, its attributes grouped by prefix (http.*,
// db.*, …) with a filter, and its events and links.

import { h, put, prettyJSON, errorText } from './dom.js';

/** Attributes that hold the span's events and links as JSON lists: shown in their own groups. */
const LIST_ATTRIBUTES = new Set(['span.events', 'span.links']);

/** The JSON list in `text`, or null. */
function parseList(text) {
  try {
    const value = JSON.parse(text);
    return Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

export class SpanDetail {
  /**
   * @param load(spanId) → Promise<span> ({id, parentId, name, kind, startTime, endTime, attributes})
   * @param onCreateSpec(span, key, value) optional: offers "Create test spec" per attribute
   */
  constructor({ load, onCreateSpec }) {
    this.load = load;
    this.onCreateSpec = onCreateSpec;
    this.span = null;
    this.seq = 0;
    this.filter = h('input', { type: 'search', placeholder: 'Search attributes', 'aria-label': 'Search attributes', oninput: () => this.drawAttributes() });
    this.body = h('div', { class: 'attributes' });
    this.head = h('div', {}, h('h2', {}, 'Span Attributes'), h('p', { class: 'muted' }, 'Select a span to see its attributes.'));
    this.el = h('section', { class: 'panel span-detail', 'aria-label': 'Span details' }, this.head, this.filter, this.body);
  }

  /** Loads and shows a span (the latest call wins). */
  async show(spanId) {
    const seq = ++this.seq;
    put(this.body, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const span = await this.load(spanId);
      if (seq !== this.seq) return;
      if (!span) throw new Error(`Span ${spanId} not found.`);
      this.span = span;
      this.draw();
    } catch (error) {
      if (seq === this.seq) put(this.body, errorText(error.message));
    }
  }

  draw() {
    const s = this.span;
    const a = s.attributes || {};
    const status = a['tracetest.span.status_code'] || a['status.code'] || '';
    const statusText = a['tracetest.span.status_description'] || a['status.description'] || '';
    const failed = /error/i.test(status);
    put(this.head,
      h('h2', {}, s.name),
      h('p', { class: 'muted' }, [a['service.name'], s.kind].filter(Boolean).join(' • ')),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Type'), h('dd', {}, a['tracetest.span.type'] || 'general'),
        h('dt', {}, 'Duration'), h('dd', {}, a['tracetest.span.duration'] || `${(s.endTime || 0) - (s.startTime || 0)}ms`),
        h('dt', {}, 'Status'), h('dd', { class: failed ? 'fail' : '' }, (status.replace('STATUS_CODE_', '') || 'UNSET') + (statusText ? `: ${statusText}` : '')),
        h('dt', {}, 'Span ID'), h('dd', { class: 'mono' }, s.id)));
    this.drawAttributes();
  }

  drawAttributes() {
    if (!this.span) return;
    const a = this.span.attributes || {};
    const q = this.filter.value.trim().toLowerCase();
    const groups = new Map();
    for (const key of Object.keys(a).sort()) {
      if (LIST_ATTRIBUTES.has(key)) continue;
      if (q && !key.toLowerCase().includes(q) && !String(a[key]).toLowerCase().includes(q)) continue;
      const prefix = key.includes('.') ? key.slice(0, key.indexOf('.')) : 'other';
      if (!groups.has(prefix)) groups.set(prefix, []);
      groups.get(prefix).push(key);
    }
    const names = [...groups.keys()].sort((x, y) => (x === 'tracetest') - (y === 'tracetest') || x.localeCompare(y));
    const sections = names.map((prefix) => h('details', { open: true, class: 'group' },
      h('summary', {}, `${prefix} (${groups.get(prefix).length})`),
      h('dl', {}, groups.get(prefix).flatMap((key) => [
        h('dt', {}, key, this.onCreateSpec ? h('button', { type: 'button', class: 'link small', 'aria-label': `Create test spec from ${key}`, title: 'Create test spec',
          onclick: () => this.onCreateSpec(this.span, key, a[key]) }, '+ spec') : null),
        h('dd', {}, prettyJSON(a[key])),
      ]))));
    const events = parseList(a['span.events']) || [];
    const links = parseList(a['span.links']) || [];
    if (events.length) sections.push(h('details', { open: true, class: 'group' }, h('summary', {}, `events (${events.length})`), events.map(entry)));
    if (links.length) sections.push(h('details', { open: true, class: 'group' }, h('summary', {}, `links (${links.length})`), links.map(entry)));
    put(this.body, sections.length ? sections : h('p', { class: 'muted' }, q ? 'No attribute matches.' : 'No attributes.'));
  }
}

/** One event or link: its fields on a line, then its attributes. */
function entry(item) {
  if (!item || typeof item !== 'object') return h('pre', {}, String(item));
  const text = (v) => (typeof v === 'object' ? JSON.stringify(v) : String(v));
  const { attributes, ...rest } = item;
  return h('div', { class: 'event' },
    h('div', {}, Object.entries(rest).map(([k, v]) => h('span', { class: 'muted' }, `${k}: `, h('b', {}, text(v)), ' '))),
    attributes ? h('dl', {}, Object.entries(attributes).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, text(v))])) : null);
}
