// Live updates: one WebSocket (`<base>ws`, api-resources.md §5) shared by the page, with polling as the fallback.
//
// watch(topic, poll, onUpdate) calls onUpdate with every update pushed on `topic`. `poll()` fetches the same
// value over HTTP: it runs once the subscription is confirmed (so nothing between the page's first load and the
// subscription is missed), every 1.5 s while the socket is down, and every 10 s as a safety net while it is up.

import { apiToken } from './api.js';

const FAST = 1500;
const SLOW = 10000;
const watchers = new Set();
let socket = null;
let open = false;
let retryTimer = null;

function socketUrl() {
  const u = new URL('ws', document.baseURI);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  // Browsers cannot set a WebSocket's headers: the API token goes in the query.
  if (apiToken()) u.searchParams.set('token', apiToken());
  return u.href;
}

function connect() {
  if (socket || retryTimer) return;
  try {
    socket = new WebSocket(socketUrl());
  } catch {
    socket = null;
    return scheduleRetry();
  }
  socket.onopen = () => {
    open = true;
    for (const w of watchers) subscribe(w);
  };
  socket.onmessage = (message) => {
    let data;
    try { data = JSON.parse(message.data); } catch { return; }
    for (const w of watchers) {
      if (w.topic !== data?.resource) continue;
      if (data.type === 'success' && data.message?.subscriptionId) {
        w.subscriptionId = data.message.subscriptionId;
        setPolling(w, SLOW);
        w.refresh();
      } else if (data.type === 'update' && data.event != null) {
        w.onUpdate(data.event);
      }
    }
  };
  socket.onclose = () => {
    socket = null;
    open = false;
    for (const w of watchers) {
      w.subscriptionId = null;
      setPolling(w, FAST);
    }
    scheduleRetry();
  };
}

function scheduleRetry() {
  if (retryTimer || watchers.size === 0) return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    if (watchers.size) connect();
  }, 5000);
}

function subscribe(w) {
  if (open) socket.send(JSON.stringify({ type: 'subscribe', resource: w.topic }));
}

function setPolling(w, interval) {
  if (w.interval === interval) return;
  clearInterval(w.timer);
  w.interval = interval;
  w.timer = setInterval(w.refresh, interval);
}

/** Follows `topic`; returns a function that stops following it. */
export function watch(topic, poll, onUpdate) {
  const w = { topic, onUpdate, subscriptionId: null, timer: null, interval: 0 };
  let inFlight = false;
  w.refresh = async () => {
    if (inFlight || !watchers.has(w)) return;
    inFlight = true;
    try {
      const value = await poll();
      if (watchers.has(w)) onUpdate(value);
    } catch { /* the next poll or push retries */ } finally {
      inFlight = false;
    }
  };
  watchers.add(w);
  setPolling(w, open ? SLOW : FAST);
  if (open) subscribe(w); else connect();
  return () => {
    watchers.delete(w);
    clearInterval(w.timer);
    if (open && w.subscriptionId) {
      socket.send(JSON.stringify({ type: 'unsubscribe', resource: topic, subscriptionId: w.subscriptionId }));
    }
  };
}
