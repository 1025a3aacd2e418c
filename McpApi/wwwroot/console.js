// McpApi live console: plain JavaScript over the WebSocket door (/mcp/ws). No build step.
'use strict';

const $ = (id) => document.getElementById(id);
const pending = new Map();
let socket;
let nextId = 1;
let catalog = [];
let chatRoom = null;
let game = null;

function connect() {
  socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mcp/ws`);
  socket.onopen = () => setStatus(true);
  socket.onclose = (e) => {
    setStatus(false, `closed ${e.code}${e.reason ? ': ' + e.reason : ''}`);
    setTimeout(connect, 2000);
  };
  socket.onmessage = (e) => onMessage(JSON.parse(e.data));
}

function setStatus(connected, text) {
  $('status').className = connected ? 'connected' : 'disconnected';
  $('status').textContent = connected ? 'connected' : (text || 'disconnected');
  if (connected) {
    resubscribe();
  }
}

// Sends an envelope with an id; resolves with the reply carrying that id.
function request(envelope) {
  const id = envelope.id ?? `c${nextId++}`;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    socket.send(JSON.stringify({ ...envelope, id }));
  });
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

function showReply(message) {
  const line = document.createElement('div');
  line.className = message.status === 'error' ? 'error' : '';
  line.textContent = JSON.stringify(message, null, 2);
  $('replies').prepend(line);
}

// ---- Envelope panel: models and actions from GET /mcp/models ----
async function loadModels() {
  const response = await fetch('/mcp/models');
  catalog = (await response.json()).models;
  catalog.push({
    name: 'subscribe', description: 'Built in (WebSocket and TCP): this connection\'s topics.',
    actions: ['add', 'remove', 'list'].map((name) => ({
      name, description: `subscribe/${name}`,
      example: name === 'list' ? { model: 'subscribe', action: name } : { model: 'subscribe', action: name, data: { topics: ['chat:lobby'] } },
    })),
  });
  $('model').innerHTML = catalog.map((m) => `<option>${m.name}</option>`).join('');
  showActions();
}

function showActions() {
  const model = catalog.find((m) => m.name === $('model').value);
  $('action').innerHTML = model.actions.map((a) => `<option>${a.name}</option>`).join('');
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
  } catch {
    socket.send(text); // the server answers malformed JSON with an error envelope
    return;
  }
  showReply(await request(envelope));
}

// ---- Events panel ----
const topics = new Set();

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
  $('subscribed').className = reply.status === 'error' ? 'hint error' : 'hint';
  $('subscribed').textContent = reply.status === 'success'
    ? (reply.data.topics.length ? `Subscribed to ${reply.data.topics.join(', ')}.` : 'Not subscribed.')
    : reply.message;
}

function onEvent(event) {
  const item = document.createElement('li');
  item.textContent = `${event.topic} ${event.message} ${JSON.stringify(event.data)}`;
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
  chatRoom = $('chat-room').value.trim() || 'lobby';
  $('chat-messages').innerHTML = '';
  await subscribe([`chat:${chatRoom}`]);
  const history = await request({ model: 'chat', action: 'history', context: { room: chatRoom }, data: { limit: 50 } });
  if (history.status === 'success') {
    history.data.messages.forEach(addChatMessage);
  }
}

function addChatMessage(message) {
  if (document.querySelector(`#chat-messages li[data-id="${message.id}"]`)) {
    return;
  }
  const item = document.createElement('li');
  item.dataset.id = message.id;
  const who = document.createElement('b');
  who.textContent = message.user;
  item.append(who, ': ', message.text);
  $('chat-messages').append(item);
  $('chat-messages').scrollTop = $('chat-messages').scrollHeight;
}

async function sendChat(e) {
  e.preventDefault();
  const text = $('chat-text').value;
  if (!text.trim()) {
    return;
  }
  if (chatRoom === null) {
    await joinRoom();
  }
  const reply = await request({ model: 'chat', context: { user: $('chat-user').value || 'guest', room: chatRoom }, data: text });
  if (reply.status === 'success') {
    $('chat-text').value = '';
    addChatMessage(reply.data);
  } else {
    showReply(reply);
  }
}

// ---- Tic-tac-toe panel ----
function gameContext() {
  return { game: $('game-id').value.trim(), player: $('game-player').value.trim() };
}

async function gameRequest(action, data) {
  const reply = await request({ model: 'move', action, context: gameContext(), ...(data ? { data } : {}) });
  if (reply.status === 'success') {
    showGame(reply.data);
  } else {
    $('game-status').className = 'hint error';
    $('game-status').textContent = reply.message;
  }
  return reply;
}

async function watchGame(id) {
  if (game !== id) {
    if (game) {
      await request({ model: 'subscribe', action: 'remove', data: { topics: [`move:${game}`] } });
      topics.delete(`move:${game}`);
    }
    game = id;
    await subscribe([`move:${id}`]);
  }
}

async function newGame() {
  const reply = await gameRequest('new', $('game-id').value.trim() ? { id: $('game-id').value.trim() } : undefined);
  if (reply.status === 'success') {
    $('game-id').value = reply.data.id;
    await watchGame(reply.data.id);
  }
}

async function joinGame() {
  await watchGame($('game-id').value.trim());
  await gameRequest('join');
}

function showGame(state) {
  if (!state || !Array.isArray(state.board)) {
    return;
  }
  document.querySelectorAll('#board button').forEach((cell) => {
    cell.textContent = state.board[Number(cell.dataset.cell)] ?? '';
  });
  const players = state.players || {};
  const who = `X: ${players.X ?? '—'}, O: ${players.O ?? '—'}`;
  const status = state.status === 'won' ? `${state.winner} won!`
    : state.status === 'draw' ? 'Draw.'
    : state.status === 'playing' ? `${state.turn} to play.` : 'Waiting for players.';
  $('game-status').className = 'hint';
  $('game-status').textContent = `${state.id}: ${status} (${who})`;
}

// ---- Wiring ----
$('model').onchange = showActions;
$('action').onchange = showExample;
$('send').onclick = sendEnvelope;
$('subscribe').onclick = () => subscribe($('topics').value.split(',').map((t) => t.trim()).filter(Boolean));
$('unsubscribe').onclick = async () => {
  showSubscribed(await request({ model: 'subscribe', action: 'remove' }));
  topics.clear();
};
$('chat-join').onclick = joinRoom;
$('chat-form').onsubmit = sendChat;
$('game-new').onclick = newGame;
$('game-join').onclick = joinGame;
document.querySelectorAll('#board button').forEach((cell) => {
  cell.onclick = () => gameRequest('play', { cell: Number(cell.dataset.cell) });
});
$('chat-user').value = `guest-${Math.floor(Math.random() * 1000)}`;
$('game-player').value = $('chat-user').value;

loadModels();
connect();
