// McpApi live console: plain JavaScript over the WebSocket door (/mcp/ws). No build step, no dependencies.
'use strict';

const $ = (id) => document.getElementById(id);
const pending = new Map();
const topics = new Set();
let socket = null;
let nextId = 1;
let catalog = [];
let chatRoom = null;
let game = null;
let retryDelay = 1000;
let everConnected = false;

// ---- API key: asked for only when the server requires one; kept in this tab's sessionStorage ----
const keyStorage = 'mcpapi.key';
const apiKey = () => sessionStorage.getItem(keyStorage);
const authHeaders = () => (apiKey() ? { Authorization: `Bearer ${apiKey()}` } : {});

function askForKey(message) {
  $('auth').hidden = false;
  $('api-key').focus();
  showNotice(`${message} Paste an API key above: it is kept for this tab only (sessionStorage) and sent as the first WebSocket message.`);
}

// Authenticates the open socket: with the stored key, or finds out whether the server needs one. True when calls may go ahead.
async function authenticate() {
  const key = apiKey();
  const reply = key ? await request({ model: 'auth', data: { key } }) : await request({ model: 'subscribe', action: 'list' });
  if (reply.status === 'success') {
    $('auth').hidden = true;
    $('signed-in').textContent = key ? `signed in as ${reply.data.name}` : '';
    if (key && reply.data.name) {
      $('chat-user').value = reply.data.name;
      $('game-player').value = reply.data.name;
    }
    return true;
  }
  if (reply.data && reply.data.code === 'unauthenticated') {
    sessionStorage.removeItem(keyStorage);
    askForKey(key ? `The key was refused: ${reply.message}` : 'This server requires an API key.');
    return false;
  }
  return true;
}

async function useKey(event) {
  event.preventDefault();
  const key = $('api-key').value.trim();
  if (!key) return;
  sessionStorage.setItem(keyStorage, key);
  $('api-key').value = '';
  if (socket && socket.readyState === WebSocket.OPEN && await authenticate()) {
    showNotice(null);
    await loadModels();
    onConnected(true);
  }
}

// ---- Connection: status, readable reasons, reconnects ----
function connect() {
  let opened = false;
  socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mcp/ws`);
  socket.onopen = async () => {
    opened = true;
    retryDelay = 1000;
    setStatus(true);
    showNotice(null);
    if (!(await authenticate())) return;
    onConnected(!everConnected);
    everConnected = true;
  };
  socket.onclose = async (e) => {
    setStatus(false);
    failPending('The connection closed before the server answered.');
    const seconds = Math.round(retryDelay / 1000);
    const reason = opened ? closeReason(e) : await refusalReason(e);
    showNotice(`${reason} Reconnecting in ${seconds} s…`);
    setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  };
  socket.onmessage = (e) => onMessage(JSON.parse(e.data));
}

function setStatus(connected) {
  $('status').className = connected ? 'connected' : 'disconnected';
  $('status').textContent = connected ? 'connected' : 'disconnected';
}

function showNotice(text) {
  $('notice').hidden = !text;
  $('notice').textContent = text || '';
}

// Why an open socket closed, in words (RFC 6455 close codes).
function closeReason(e) {
  const said = e.reason ? ` The server said: ${e.reason}` : '';
  switch (e.code) {
    case 1000: return `The server closed the connection.${said}`;
    case 1001: return `The server is shutting down or restarting.${said}`;
    case 1008: return `The server closed the connection because of a policy: ${e.reason || 'no reason given'}.`;
    case 1009: return `The server closed the connection: a message was too large.${said}`;
    case 1011: return `The server hit an unexpected error and closed the connection.${said}`;
    case 1013: return `The server is overloaded and closed the connection; it will be retried.${said}`;
    default: return `The connection to ${location.host} was lost (is the server still running?).${said}`;
  }
}

// A socket that never opened: browsers hide the HTTP answer, so ask the server over plain HTTP why.
async function refusalReason(e) {
  let response;
  try {
    response = await fetch('/mcp', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authHeaders() },
      body: JSON.stringify({ model: 'echo', data: 'console connection check' }),
    });
  } catch {
    return `Cannot reach the server at ${location.host}. Is it running?`;
  }
  let message = '';
  try {
    message = (await response.json()).message || '';
  } catch {
    // not an envelope: a proxy answered
  }
  if (response.status === 403) {
    return `The server refused this page (${location.origin}): ${message}`;
  }
  if (!response.ok) {
    return `The server answered ${response.status}${message ? `: ${message}` : ''}.`;
  }
  return `The server answers HTTP but the WebSocket at /mcp/ws could not be opened (code ${e.code}); ` +
    'a proxy between this browser and the server may not pass WebSocket upgrades.';
}

async function onConnected(first) {
  resubscribe();
  if (first) {
    await joinRoom();
    await openGameFromLink();
  } else if (chatRoom) {
    await loadHistory();
  }
  await refreshOpenGames();
}

// Sends an envelope with an id; resolves with the reply carrying that id (or an error reply when not connected).
function request(envelope) {
  const id = envelope.id ?? `c${nextId++}`;
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    return Promise.resolve(localError(`Not connected to the server. ${$('notice').textContent || 'Connecting…'}`));
  }
  return new Promise((resolve) => {
    pending.set(id, resolve);
    socket.send(JSON.stringify({ ...envelope, id }));
  });
}

function localError(message) {
  return { status: 'error', message, data: { code: 'not_connected' } };
}

function failPending(message) {
  for (const resolve of pending.values()) {
    resolve(localError(message));
  }
  pending.clear();
}

function onMessage(message) {
  if (message.status === 'event') {
    onEvent(message);
  } else if (message.id != null && pending.has(message.id)) {
    const resolve = pending.get(message.id);
    pending.delete(message.id);
    resolve(message);
  } else {
    showReply(message);
  }
}

// ---- Small helpers ----
function timeOf(iso) {
  const date = iso ? new Date(iso) : new Date();
  const time = document.createElement('time');
  time.dateTime = date.toISOString();
  time.title = date.toISOString();
  time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return time;
}

function rawJson(value) {
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'JSON';
  const pre = document.createElement('pre');
  pre.textContent = JSON.stringify(value, null, 2);
  details.append(summary, pre);
  return details;
}

// An error reply as a person reads it: the server's message (it says what to fix), then the code.
function errorText(reply) {
  const code = reply.data && reply.data.code ? ` (${reply.data.code})` : '';
  return `${reply.message}${code}`;
}

function showHint(id, reply, successText) {
  const ok = reply.status === 'success';
  $(id).className = ok ? 'hint' : 'hint error';
  $(id).textContent = ok ? successText : errorText(reply);
}

// ---- Envelope panel: models and actions from GET /mcp/models ----
async function loadModels() {
  try {
    const response = await fetch('/mcp/models', { headers: authHeaders() });
    if (response.status === 401) {
      $('action-description').textContent = 'Models are listed once an API key is given.';
      return;
    }
    catalog = (await response.json()).models;
  } catch {
    $('action-description').textContent = 'Could not load /mcp/models; is the server running?';
    return;
  }
  catalog.push({
    name: 'subscribe', description: 'Built in (WebSocket and TCP): this connection\'s topics.',
    actions: ['add', 'remove', 'list'].map((name) => ({
      name, description: `subscribe/${name}: ${name === 'list' ? 'the topics of this connection' : `${name} topics`}.`,
      example: name === 'list' ? { model: 'subscribe', action: name } : { model: 'subscribe', action: name, data: { topics: ['chat:lobby'] } },
    })),
  });
  $('model').replaceChildren(...catalog.map((m) => new Option(m.name, m.name)));
  showActions();
}

function showActions() {
  const model = catalog.find((m) => m.name === $('model').value);
  $('action').replaceChildren(...model.actions.map((a) => new Option(a.name, a.name)));
  showExample();
}

function showExample() {
  const model = catalog.find((m) => m.name === $('model').value);
  const action = model.actions.find((a) => a.name === $('action').value);
  $('action-description').textContent = action.description;
  $('envelope').value = JSON.stringify(action.example, null, 2);
}

async function sendEnvelope() {
  const text = $('envelope').value;
  let envelope;
  try {
    envelope = JSON.parse(text);
  } catch (error) {
    showReply({ status: 'error', message: `The envelope is not valid JSON: ${error.message}. Check quotes, commas and brackets.`, data: { code: 'malformed_json' } });
    return;
  }
  if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) {
    showReply({ status: 'error', message: 'An envelope is a JSON object: {"model": ..., "action": ..., "context": ..., "data": ...}.', data: { code: 'invalid_envelope' } });
    return;
  }
  showReply(await request(envelope));
}

function showReply(message) {
  const line = document.createElement('div');
  const ok = message.status === 'success';
  const text = document.createElement('span');
  text.className = ok ? 'ok' : 'error';
  text.textContent = ok ? `✓ ${message.message}` : `✗ ${errorText(message)}`;
  line.append(timeOf(), text, rawJson(message));
  $('replies').prepend(line);
  while ($('replies').children.length > 100) {
    $('replies').lastChild.remove();
  }
}

// ---- Events panel ----
async function subscribe(list) {
  const reply = await request({ model: 'subscribe', data: { topics: list } });
  if (reply.status === 'success') {
    reply.data.topics.forEach((t) => topics.add(t));
  }
  showSubscribed(reply);
  return reply;
}

function resubscribe() {
  if (topics.size > 0) {
    subscribe([...topics]);
  }
}

function showSubscribed(reply) {
  showHint('subscribed', reply, reply.data && reply.data.topics && reply.data.topics.length
    ? `Subscribed to ${reply.data.topics.join(', ')}.` : 'Not subscribed.');
}

// One line per event type, in words; the raw event stays one click away.
function describeEvent(event) {
  const d = event.data || {};
  switch (event.message) {
    case 'chat.message': return `${d.user}: ${d.text}`;
    case 'move.joined': return `${seats(d)} in game ${d.id}; ${gameState(d)}`;
    case 'move.played': return `game ${d.id}: move ${d.moves} played; ${gameState(d)}`;
    case 'move.finished': return `game ${d.id} is over: ${gameState(d)}`;
    case 'state.changed': return `${d.namespace}/${d.key} ${d.deleted ? 'deleted' : `is now at version ${d.version}`}`;
    case 'notes.added': return `note ${d.id} in ${d.notebook}: ${d.text}`;
    default: return event.message;
  }
}

function onEvent(event) {
  const item = document.createElement('li');
  const topic = document.createElement('span');
  topic.className = 'topic';
  topic.textContent = event.topic;
  const text = document.createElement('span');
  text.textContent = describeEvent(event);
  item.append(timeOf(event.at), topic, text, rawJson(event));
  $('events').prepend(item);
  while ($('events').children.length > 200) {
    $('events').lastChild.remove();
  }
  if (event.message === 'chat.message' && event.topic === `chat:${chatRoom}`) {
    addChatMessage(event.data);
  }
  if (event.message.startsWith('move.') && game && event.topic === `move:${game}`) {
    showGame(event.data);
  }
}

// ---- Chat panel ----
async function joinRoom() {
  const room = $('chat-room').value.trim() || 'lobby';
  if (chatRoom && chatRoom !== room) {
    await request({ model: 'subscribe', action: 'remove', data: { topics: [`chat:${chatRoom}`] } });
    topics.delete(`chat:${chatRoom}`);
  }
  const reply = await subscribe([`chat:${room}`]);
  if (reply.status !== 'success') {
    showHint('chat-status', reply, '');
    return;
  }
  chatRoom = room;
  await loadHistory();
}

async function loadHistory() {
  const history = await request({ model: 'chat', action: 'history', context: { room: chatRoom }, data: { limit: 50 } });
  if (history.status !== 'success') {
    showHint('chat-status', history, '');
    return;
  }
  $('chat-messages').replaceChildren();
  history.data.messages.forEach(addChatMessage);
  if (history.data.messages.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'empty';
    empty.textContent = `No messages in ${chatRoom} yet.`;
    $('chat-messages').append(empty);
  }
  $('chat-status').className = 'hint';
  $('chat-status').textContent = `Room ${chatRoom}: ${history.data.messages.length} earlier message(s); new ones appear live.`;
}

function addChatMessage(message) {
  if (document.querySelector(`#chat-messages li[data-id="${message.id}"]`)) {
    return;
  }
  $('chat-messages').querySelector('li.empty')?.remove();
  const item = document.createElement('li');
  item.dataset.id = message.id;
  const who = document.createElement('b');
  who.textContent = message.user;
  item.append(timeOf(message.sentAt), who, ': ', message.text);
  $('chat-messages').append(item);
  $('chat-messages').scrollTop = $('chat-messages').scrollHeight;
}

async function sendChat(e) {
  e.preventDefault();
  const text = $('chat-text').value;
  if (!text.trim()) {
    return;
  }
  if (chatRoom === null || chatRoom !== ($('chat-room').value.trim() || 'lobby')) {
    await joinRoom();
  }
  const reply = await request({ model: 'chat', context: { user: $('chat-user').value.trim() || 'guest', room: chatRoom }, data: text });
  if (reply.status === 'success') {
    $('chat-text').value = '';
    addChatMessage(reply.data);
  }
  showHint('chat-status', reply, `Sent to ${chatRoom}.`);
}

// ---- Tic-tac-toe panel ----
function player() {
  return $('game-player').value.trim();
}

function seats(state) {
  const players = state.players || {};
  return `X: ${players.X ?? '—'}, O: ${players.O ?? '—'}`;
}

function gameState(state) {
  if (state.status === 'won') return `${state.winner} (${state.players[state.winner]}) won!`;
  if (state.status === 'draw') return 'a draw.';
  if (state.status === 'playing') return `${state.turn} (${state.players[state.turn]}) to play.`;
  return 'waiting for players.';
}

async function gameRequest(action, context, data) {
  const reply = await request({ model: 'move', action, context, ...(data ? { data } : {}) });
  if (reply.status === 'success') {
    showGame(reply.data);
  } else {
    showHint('game-status', reply, '');
  }
  return reply;
}

async function watchGame(id) {
  if (game === id) {
    return;
  }
  if (game) {
    await request({ model: 'subscribe', action: 'remove', data: { topics: [`move:${game}`] } });
    topics.delete(`move:${game}`);
  }
  game = id;
  await subscribe([`move:${id}`]);
}

// "New game" always creates a fresh game with an id the server generates, and seats you in it.
async function newGame() {
  const created = await gameRequest('new');
  if (created.status !== 'success') {
    return;
  }
  $('game-id').value = created.data.id;
  await watchGame(created.data.id);
  await gameRequest('join', { game: created.data.id, player: player() });
  showInvite(created.data.id);
  await refreshOpenGames();
}

async function joinGame(id) {
  const target = (id ?? $('game-id').value).trim();
  if (!target) {
    showHint('game-status', { status: 'error', message: 'Type the id of a game to join, pick an open game, or press “New game”.' }, '');
    return;
  }
  $('game-id').value = target;
  const reply = await request({ model: 'move', action: 'join', context: { game: target, player: player() } });
  if (reply.status === 'success') {
    await watchGame(target); // the join's reply is the game as it stands; events carry every later change
    showGame(reply.data);
    showInvite(target);
  } else {
    showHint('game-status', reply, '');
  }
  await refreshOpenGames();
}

function showInvite(id) {
  const url = new URL(location.href);
  url.search = `?game=${encodeURIComponent(id)}`;
  url.hash = '';
  $('game-link').href = url.toString();
  $('game-link').textContent = url.toString();
  $('game-invite').hidden = false;
}

// Opened from an invite link (?game=id): show that game, ready to join.
async function openGameFromLink() {
  const id = new URLSearchParams(location.search).get('game');
  if (!id) {
    return;
  }
  $('game-id').value = id;
  await watchGame(id);
  await gameRequest('get', { game: id });
}

async function refreshOpenGames() {
  const reply = await request({ model: 'move', action: 'list' });
  if (reply.status !== 'success') {
    $('open-games').textContent = errorText(reply);
    return;
  }
  const open = reply.data.games.filter((g) => g.status === 'waiting' && g.id !== game);
  if (open.length === 0) {
    $('open-games').textContent = 'none waiting';
    return;
  }
  $('open-games').replaceChildren(...open.slice(0, 8).map((g) => {
    const button = document.createElement('button');
    button.className = 'game-link';
    button.textContent = `${g.id} (${seats(g)})`;
    button.title = `Join game ${g.id}`;
    button.onclick = () => joinGame(g.id);
    return button;
  }));
}

function showGame(state) {
  if (!state || !Array.isArray(state.board) || (game && state.id !== game)) {
    return;
  }
  const me = player();
  const mySeat = Object.entries(state.players || {}).find(([, name]) => name === me)?.[0];
  const myTurn = state.status === 'playing' && mySeat === state.turn;
  document.querySelectorAll('#board button').forEach((cell) => {
    const mark = state.board[Number(cell.dataset.cell)];
    cell.textContent = mark ?? '';
    cell.disabled = !myTurn || mark != null;
  });
  const you = mySeat ? ` You are ${mySeat}${myTurn ? ': your move.' : '.'}` : '';
  $('game-status').className = 'hint';
  $('game-status').textContent = `${state.id}: ${gameState(state)} (${seats(state)})${you}`;
}

// ---- Wiring ----
$('model').onchange = showActions;
$('action').onchange = showExample;
$('send').onclick = sendEnvelope;
$('subscribe').onclick = () => subscribe($('topics').value.split(',').map((t) => t.trim()).filter(Boolean));
$('unsubscribe').onclick = async () => {
  showSubscribed(await request({ model: 'subscribe', action: 'remove' }));
  topics.clear();
  chatRoom = null;
  game = null;
};
$('chat-join').onclick = joinRoom;
$('chat-form').onsubmit = sendChat;
$('auth').onsubmit = useKey;
$('game-new').onclick = newGame;
$('game-join').onclick = () => joinGame();
$('games-refresh').onclick = refreshOpenGames;
document.querySelectorAll('#board button').forEach((cell) => {
  cell.onclick = () => gameRequest('play', { game, player: player() }, { cell: Number(cell.dataset.cell) });
});
$('chat-user').value = `guest-${Math.floor(Math.random() * 1000)}`;
$('game-player').value = $('chat-user').value;
$('chat-user').onchange = () => {
  if (!game) {
    $('game-player').value = $('chat-user').value;
  }
};

loadModels();
connect();
