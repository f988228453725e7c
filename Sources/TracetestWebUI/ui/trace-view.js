// The trace as a virtualized waterfall. buildTree() turns the run's trace outline into a tree in one pass;
// TraceView draws only the rows in view (fixed row height, absolute positions inside a tall spacer), so a trace of
// 100,000 spans scrolls and searches without rebuilding the DOM.

import { h, put, formatNs, debounce } from './dom.js';

const ROW = 28; // px, the row height (--row in style.css)
const OVERSCAN = 8; // rows drawn above and below the visible ones
// Outline entry: [id, parentId, name, kind, service, startOffsetNs, durationNs, statusCode]
const ID = 0, PARENT = 1, NAME = 2, KIND = 3, SERVICE = 4, START = 5, DURATION = 6, STATUS = 7;

/** The tree of an outline: parent/children as index arrays, roots and depth-first order. */
export function buildTree(outline) {
  const spans = outline?.spans || [];
  const n = spans.length;
  const index = new Map();
  for (let i = 0; i < n; i++) index.set(spans[i][ID], i);
  const parent = new Int32Array(n).fill(-1);
  const childCount = new Int32Array(n);
  const start = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const s = spans[i];
    start[i] = +s[START] || 0;
    total = Math.max(total, start[i] + (+s[DURATION] || 0));
    const p = s[PARENT] ? index.get(s[PARENT]) : undefined;
    if (p !== undefined && p !== i) { parent[i] = p; childCount[p]++; }
  }
  // Children of every span, contiguous: children[offset[i] .. offset[i+1]).
  const offset = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offset[i + 1] = offset[i] + childCount[i];
  const fill = offset.slice(0, n);
  const children = new Int32Array(n);
  const roots = [];
  for (let i = 0; i < n; i++) parent[i] >= 0 ? (children[fill[parent[i]]++] = i) : roots.push(i);
  const byStart = (a, b) => start[a] - start[b];
  for (let i = 0; i < n; i++) if (offset[i + 1] - offset[i] > 1) children.subarray(offset[i], offset[i + 1]).sort(byStart);
  roots.sort(byStart);

  const depth = new Int32Array(n);
  const order = new Int32Array(n).fill(-1); // position in the fully expanded tree
  const tree = { spans, n, index, parent, offset, children, roots, depth, order, start, total };
  let position = 0;
  const visit = (rootList) => {
    const stack = rootList.slice().reverse();
    while (stack.length) {
      const i = stack.pop();
      if (order[i] >= 0) continue;
      order[i] = position++;
      for (let c = offset[i + 1] - 1; c >= offset[i]; c--) {
        const child = children[c];
        depth[child] = depth[i] + 1;
        stack.push(child);
      }
    }
  };
  visit(roots);
  // Spans in a parent cycle are reachable from no root: show them as roots.
  for (let i = 0; i < n && position < n; i++) if (order[i] < 0) { roots.push(i); visit([i]); }
  return tree;
}

/** The id of the span at index `i`. */
export const spanIdOf = (tree, i) => tree.spans[i]?.[ID];

/** The name of the span with id `spanId`, or the id when the trace has no such span. */
export function spanNameById(tree, spanId) {
  const i = tree.index.get(spanId);
  return i === undefined ? spanId : tree.spans[i][NAME] ?? '';
}

const PALETTE = ['#4e79a7', '#59a14f', '#9c755f', '#f28e2b', '#76b7b2', '#b07aa1', '#edc948', '#ff9da7', '#8cd17d', '#86bcb6'];
function colour(service) {
  let hash = 0;
  for (let i = 0; i < service.length; i++) hash = (hash * 31 + service.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(hash) % PALETTE.length];
}

export class TraceView {
  /**
   * @param tree the result of buildTree
   * @param options.onSelect(spanId) called when the user selects a span
   * @param options.search(query, isSelector) → Promise<spanIds[]> server-side search (selectors, attributes), optional
   */
  constructor(tree, { onSelect, search } = {}) {
    this.tree = tree;
    this.onSelect = onSelect;
    this.serverSearch = search;
    this.collapsed = new Set();
    this.matches = [];          // span indexes in tree order
    this.matchSet = new Set();
    this.current = -1;          // position in matches
    this.highlight = new Set(); // spans highlighted by the Test tab (spec or selector)
    this.marks = new Map();     // span index -> 'pass' | 'fail'
    this.selected = -1;
    this.searchSeq = 0;
    this.rows = new Int32Array(0);
    this.frame = 0;
    this.build();
    this.refreshRows();
  }

  build() {
    const t = this.tree;
    this.searchInput = h('input', { type: 'search', placeholder: 'Search spans: text or span[name contains "x"]', 'aria-label': 'Search spans',
      oninput: debounce(() => this.search(this.searchInput.value), 300),
      onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); this.step(e.shiftKey ? -1 : 1); } } });
    this.status = h('span', { class: 'muted', 'aria-live': 'polite' });
    this.spacer = h('div', { class: 'trace-spacer' });
    this.scroller = h('div', { class: 'trace-scroll', tabindex: 0, 'aria-label': 'Spans', onscroll: () => this.schedule(), onkeydown: (e) => this.key(e) }, this.spacer);
    this.scroller.addEventListener('click', (e) => this.click(e));
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => h('span', { style: `left:${f * 100}%` }, formatNs(t.total * f)));
    this.el = h('section', { class: 'trace', 'aria-label': 'Trace' },
      h('div', { class: 'trace-tools' }, this.searchInput,
        h('button', { type: 'button', class: 'small', onclick: () => this.step(-1) }, 'Previous match'),
        h('button', { type: 'button', class: 'small', onclick: () => this.step(1) }, 'Next match'),
        h('button', { type: 'button', class: 'small', onclick: () => { this.collapsed.clear(); this.refreshRows(); } }, 'Expand all'),
        h('button', { type: 'button', class: 'small', onclick: () => this.collapseAll() }, 'Collapse all'),
        this.status),
      h('div', { class: 'trace-head' }, h('div', { class: 'col-name' }, `Span (${t.n})`), h('div', { class: 'col-time ticks' }, ticks)),
      this.scroller);
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  /** Recomputes the visible rows (depth-first, skipping collapsed subtrees): O(spans). */
  refreshRows() {
    const t = this.tree;
    const rows = new Int32Array(t.n);
    const stack = new Int32Array(t.n);
    let top = 0, k = 0;
    for (let r = t.roots.length - 1; r >= 0; r--) stack[top++] = t.roots[r];
    while (top) {
      const i = stack[--top];
      rows[k++] = i;
      if (this.collapsed.has(i)) continue;
      for (let c = t.offset[i + 1] - 1; c >= t.offset[i]; c--) stack[top++] = t.children[c];
    }
    this.rows = rows.subarray(0, k);
    this.spacer.style.height = `${k * ROW}px`;
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  /** Draws the rows in view (and a few around). */
  draw() {
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((top + height) / ROW) + OVERSCAN);
    const rows = [];
    for (let r = first; r < last; r++) rows.push(this.row(this.rows[r], r));
    put(this.spacer, rows);
  }

  /** The element of span `i`, drawn at row `r`. */
  row(i, r) {
    const t = this.tree;
    const s = t.spans[i];
    const kids = t.offset[i + 1] - t.offset[i];
    const open = !this.collapsed.has(i);
    const left = t.total ? (t.start[i] / t.total) * 100 : 0;
    const width = t.total ? Math.max((+s[DURATION] / t.total) * 100, 0.2) : 100;
    const duration = formatNs(s[DURATION]);
    const mark = this.marks.get(i);
    const classes = ['trace-row', r % 2 ? 'odd' : '', i === this.selected ? 'selected' : '', this.matchSet.has(i) ? 'match' : '',
      this.highlight.has(i) ? 'highlight' : '', s[STATUS] === 'error' ? 'status-error' : ''].filter(Boolean).join(' ');
    return h('div', { class: classes, style: `top:${r * ROW}px`, 'data-i': i, 'aria-selected': i === this.selected ? 'true' : null },
      h('div', { class: 'col-name', style: `padding-left:${Math.min(t.depth[i], 24) * 12 + 4}px` },
        kids ? h('button', { type: 'button', class: 'toggle', 'data-toggle': i, 'aria-expanded': String(open), 'aria-label': `${open ? 'Collapse' : 'Expand'} ${s[NAME]}` }, `${open ? '▾' : '▸'} ${kids}`)
          : h('span', { class: 'toggle-space' }),
        mark ? h('span', { class: mark, 'aria-label': mark === 'pass' ? 'passed' : 'failed' }, mark === 'pass' ? '✔' : '✘') : null,
        h('button', { type: 'button', class: 'span-name', title: s[NAME] }, s[NAME]),
        h('span', { class: 'service' }, s[SERVICE], s[KIND] && s[KIND] !== 'unespecified' /* sic, Tracetest's spelling */ ? ` ${s[KIND]}` : '')),
      h('div', { class: 'col-time' },
        h('div', { class: 'bar', style: `left:${left}%;width:${width}%;background:${s[STATUS] === 'error' ? '#d4380d' : colour(s[SERVICE] || '')}` }),
        h('span', { class: 'duration', style: left + width > 75 ? `right:${100 - left + 0.5}%` : `left:${left + width + 0.5}%` }, duration)));
  }

  /** A click on a toggle collapses or expands; elsewhere in a row it selects the span. */
  click(event) {
    const toggle = event.target.closest('[data-toggle]');
    if (toggle) return this.toggle(+toggle.dataset.toggle);
    const row = event.target.closest('.trace-row');
    if (row) this.select(+row.dataset.i, { notify: true });
    this.scroller.focus({ preventScroll: true });
  }

  toggle(i) {
    this.collapsed.has(i) ? this.collapsed.delete(i) : this.collapsed.add(i);
    this.refreshRows();
  }

  collapseAll() {
    const t = this.tree;
    for (let i = 0; i < t.n; i++) if (t.offset[i + 1] > t.offset[i] && t.parent[i] >= 0) this.collapsed.add(i);
    this.refreshRows();
  }

  /** Up and down move the selection; left and right collapse and expand the selected span. */
  key(event) {
    const position = this.rowOf(this.selected);
    const moves = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves && this.rows.length) {
      event.preventDefault();
      const next = Math.min(this.rows.length - 1, Math.max(0, position + moves[event.key]));
      this.select(this.rows[next], { notify: true });
    } else if ((event.key === 'ArrowLeft' || event.key === 'ArrowRight') && this.selected >= 0) {
      const collapsed = this.collapsed.has(this.selected);
      if ((event.key === 'ArrowLeft') !== collapsed) this.toggle(this.selected);
    }
  }

  rowOf(i) {
    return i < 0 ? -1 : this.rows.indexOf(i);
  }

  /** Expands the ancestors of span `i` and scrolls it into view. */
  reveal(i) {
    let changed = false;
    for (let p = this.tree.parent[i]; p >= 0; p = this.tree.parent[p]) if (this.collapsed.delete(p)) changed = true;
    if (changed) this.refreshRows();
    const y = this.rowOf(i) * ROW;
    const view = this.scroller.clientHeight || 600;
    if (y < this.scroller.scrollTop || y + ROW > this.scroller.scrollTop + view) this.scroller.scrollTop = Math.max(0, y - view / 3);
    this.schedule();
  }

  /** Selects span index `i` (or a span id); `notify` tells the page (which loads the span's details). */
  select(i, { notify = false } = {}) {
    if (typeof i === 'string') i = this.tree.index.get(i) ?? -1;
    if (i < 0 || i >= this.tree.n) return;
    this.selected = i;
    this.reveal(i);
    if (notify) this.onSelect?.(this.tree.spans[i][ID]);
  }

  /** The indexes of the spans with these ids that are in the trace. */
  indexesOf(spanIds) {
    return spanIds.map((id) => this.tree.index.get(id)).filter((i) => i !== undefined);
  }

  /** Highlights spans by id (Test tab: the spans a spec or selector matches). */
  setHighlight(spanIds) {
    this.highlight = new Set(this.indexesOf(spanIds));
    this.schedule();
  }

  /** Pass/fail marks per span id (Test tab). */
  setMarks(marks) {
    this.marks = new Map();
    for (const [id, mark] of marks) { const i = this.tree.index.get(id); if (i !== undefined) this.marks.set(i, mark); }
    this.schedule();
  }

  /** Finds spans by text in names and services, and through the server (selectors, attribute values). */
  async search(query) {
    const seq = ++this.searchSeq;
    const q = query.trim();
    if (!q) return this.setMatches([], '');
    const isSelector = /^span\s*\[|^span\s*$|^span:/.test(q);
    if (isSelector && !balanced(q)) {
      this.setMatches([], q);
      this.status.textContent = 'Incomplete selector';
      return;
    }
    const found = new Set();
    if (!isSelector) { // text: names and services here at once, attribute values from the server below
      const lower = q.toLowerCase();
      const spans = this.tree.spans;
      for (let i = 0; i < spans.length; i++) {
        const s = spans[i];
        if (String(s[NAME]).toLowerCase().includes(lower) || String(s[SERVICE]).toLowerCase().includes(lower)) found.add(i);
      }
      this.setMatches(found, q);
    }
    if (!this.serverSearch) return;
    try {
      const ids = await this.serverSearch(q, isSelector);
      if (seq !== this.searchSeq) return;
      for (const i of this.indexesOf(ids || [])) found.add(i);
      this.setMatches(found, q);
    } catch (error) {
      if (seq === this.searchSeq && isSelector) { this.setMatches([], q); this.status.textContent = error.message; }
    }
  }

  /** Shows the matches (span indexes) of `query`, keeping the current match if it is still one, else selecting the first. */
  setMatches(found, query) {
    const before = this.matches[this.current];
    this.matches = [...found].sort((a, b) => this.tree.order[a] - this.tree.order[b]);
    this.matchSet = new Set(this.matches);
    this.current = this.matches.length ? Math.max(0, this.matches.indexOf(before)) : -1;
    this.status.textContent = !query ? '' : this.matches.length ? `${this.current + 1} of ${this.matches.length} matches` : 'No matches found';
    if (this.matches.length && this.matches[this.current] !== before) this.select(this.matches[this.current], { notify: true });
    this.schedule();
  }

  /** Selects the next (1) or previous (-1) match. */
  step(direction) {
    if (!this.matches.length) return;
    this.current = (this.current + direction + this.matches.length) % this.matches.length;
    this.status.textContent = `${this.current + 1} of ${this.matches.length} matches`;
    this.select(this.matches[this.current], { notify: true });
  }
}

/** Whether a selector's brackets, parentheses and quotes are closed (worth sending to the server). */
export function balanced(text) {
  let depth = 0, quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) { if (c === '\\') i++; else if (c === '"') quote = false; continue; }
    if (c === '"') quote = true;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
  }
  return !quote && depth === 0;
}
