// The live event stream. EventSource cannot send an Authorization header, so the stream is read through
// fetch() and parsed here. One connection per tab; pages subscribe to the events they care about.
import { API_BASE, session } from './api.js';

const RECONNECT_MS = 5000; // never sooner: the server's agent event already comes every 5 s
const listeners = new Map(); // event name -> Set of callbacks
let controller = null;
let retryTimer = null;
let state = 'reconnecting';

function setState(next) {
  state = next;
  const el = document.getElementById('live-status');
  if (!el) return;
  el.dataset.state = next;
  const text = el.querySelector('.live-text');
  if (text) text.textContent = next === 'connected' ? 'Live' : 'Reconnecting';
  el.title = next === 'connected' ? 'Live updates are on' : 'Live updates are reconnecting';
}

export function liveState() { return state; }

/** Subscribes to an event ("execution", "agent"); returns the unsubscribe function. */
export function on(event, callback) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(callback);
  return () => listeners.get(event)?.delete(callback);
}

function emit(event, data) {
  for (const cb of listeners.get(event) || []) {
    try { cb(data); } catch (e) { console.error('live listener failed', e); }
  }
}

export function start() {
  stop();
  controller = new AbortController();
  run(controller);
}

export function stop() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (controller) controller.abort();
  controller = null;
  setState('reconnecting');
}

async function run(ctrl) {
  const token = session.token;
  if (!token) return;
  try {
    const response = await fetch(`${API_BASE}/events`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
      signal: ctrl.signal,
      cache: 'no-store',
    });
    if (response.status === 401) {
      // The app's 401 handling lives in api.js; a plain request sends the user to the login page.
      window.dispatchEvent(new CustomEvent('fleetjobs:unauthorized'));
      return;
    }
    if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
    setState('connected');
    await readStream(response.body, ctrl.signal);
  } catch (e) {
    if (ctrl.signal.aborted) return;
  }
  if (ctrl.signal.aborted) return;
  setState('reconnecting');
  retryTimer = setTimeout(() => { if (controller === ctrl) run(ctrl); }, RECONNECT_MS);
}

/** Parses text/event-stream: blocks separated by a blank line, "event:" and "data:" fields. */
async function readStream(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (!signal.aborted) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
      dispatch(block);
    }
  }
}

function dispatch(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue; // comments are keep-alive pings
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (!data.length) return;
  let parsed = data.join('\n');
  try { parsed = JSON.parse(parsed); } catch { /* leave as text */ }
  emit(event, parsed);
}
