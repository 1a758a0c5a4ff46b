/* Live notifications: keeps the bell's badge current, shows a toast on arrival, and survives
 * sleeping phones and lost networks by reconnecting with exponential backoff and resuming after
 * the last seq this tab saw (sessionStorage). A seq is the user's own counter, handed out in
 * commit order, so a row committed while away is replayed even when its id is lower than one
 * already seen. */
(function () {
  "use strict";
  var bell = document.querySelector("[data-testid=notification-bell]");
  if (!bell || !window.WebSocket) { return; }
  var badge = bell.querySelector(".notification-badge");
  var toasts = document.querySelector("[data-testid=notification-toasts]");
  // Per user: seqs of two people who share a tab (log out, log in) have nothing in common.
  var STORE_KEY = "gongying.notifications.lastSeq." + (bell.getAttribute("data-user") || "");
  var CLOSE_UNAUTHENTICATED = 4401;
  var MIN_DELAY = 1000, MAX_DELAY = 30000;
  var attempt = 0, socket = null, timer = null, stopped = false;
  var seen = {};

  function storedLastSeq() {
    var stored = 0;
    try { stored = parseInt(window.sessionStorage.getItem(STORE_KEY) || "0", 10) || 0; } catch (e) { /* private mode */ }
    return Math.max(stored, parseInt(bell.getAttribute("data-last-seq") || "0", 10) || 0);
  }
  var lastSeq = storedLastSeq();

  function remember(seq) {
    if (seq > lastSeq) {
      lastSeq = seq;
      try { window.sessionStorage.setItem(STORE_KEY, String(seq)); } catch (e) { /* private mode */ }
    }
  }

  function setUnread(n) {
    badge.textContent = String(n);
    badge.hidden = !n;
    bell.setAttribute("data-unread", String(n));
  }

  function toast(message) {
    if (!toasts) { return; }
    var box = document.createElement("div");
    box.className = "notification-toast";
    box.setAttribute("data-testid", "notification-toast");
    var title = document.createElement(message.url ? "a" : "strong");
    if (message.url) { title.href = "/notifications/" + message.id + "/open/"; }
    title.textContent = message.title;
    var body = document.createElement("p");
    body.textContent = message.body;
    box.appendChild(title);
    box.appendChild(body);
    toasts.appendChild(box);
    window.setTimeout(function () { box.remove(); }, 8000);
  }

  function addToInbox(message) {
    var list = document.getElementById("notification-list");
    if (!list || list.querySelector('[data-id="' + message.id + '"]')) { return; }
    var empty = list.querySelector(".notification-empty");
    if (empty) { empty.remove(); }
    var item = document.createElement("li");
    item.className = "notification-row unread";
    item.setAttribute("data-id", String(message.id));
    var wrap = document.createElement("div");
    var strong = document.createElement("strong");
    var title = document.createElement(message.url ? "a" : "span");
    // Through the opening link, so that following it marks the row read.
    if (message.url) { title.href = "/notifications/" + message.id + "/open/"; }
    title.textContent = message.title;
    strong.appendChild(title);
    var body = document.createElement("p");
    body.textContent = message.body;
    var when = document.createElement("small");
    when.className = "muted";
    when.textContent = new Date(message.created_at).toLocaleString();
    wrap.appendChild(strong);
    wrap.appendChild(body);
    wrap.appendChild(when);
    item.appendChild(wrap);
    list.insertBefore(item, list.firstChild);
  }

  function onMessage(event) {
    var message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    if (message.type === "hello") {
      attempt = 0;
      setUnread(message.unread);
      // A page with live figures names its topics (data-watch); asked again on every reconnect.
      document.querySelectorAll("[data-watch]").forEach(function (element) {
        if (socket && socket.readyState === 1) {
          socket.send(JSON.stringify({ type: "watch", topic: element.getAttribute("data-watch") }));
        }
      });
    } else if (message.type === "notification") {
      setUnread(message.unread);
      if (seen[message.id]) { return; }
      seen[message.id] = true;
      remember(message.seq);
      toast(message);
      addToInbox(message);
      document.dispatchEvent(new CustomEvent("gongying:notification", { detail: message }));
    } else if (message.type === "unread") {
      setUnread(message.unread);
    } else if (message.type === "changed") {
      // A watched page (the street dashboard) reads its figures again.
      document.dispatchEvent(new CustomEvent("gongying:changed", { detail: message }));
    }
  }

  function schedule() {
    if (stopped || timer) { return; }
    // Exponential backoff with jitter, so a server restart is not met by every phone at once.
    var delay = Math.min(MAX_DELAY, MIN_DELAY * Math.pow(2, attempt));
    delay = delay / 2 + Math.random() * delay / 2;
    attempt += 1;
    timer = window.setTimeout(function () { timer = null; connect(); }, delay);
  }

  function connect() {
    if (stopped || (socket && socket.readyState <= 1)) { return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + bell.getAttribute("data-ws-path"));
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "resume", after_seq: lastSeq }));
    };
    socket.onmessage = onMessage;
    socket.onclose = function (event) {
      socket = null;
      if (event.code === CLOSE_UNAUTHENTICATED) { stopped = true; return; }
      schedule();
    };
  }

  // A phone waking up or a network coming back should not wait for the backoff timer.
  function reconnectNow() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    attempt = 0;
    connect();
  }
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { reconnectNow(); }
  });
  // A small handle for other scripts (and tests): go quiet (e.g. before logging out) and come back.
  window.gongyingNotifications = {
    disconnect: function () {
      stopped = true;
      if (timer) { window.clearTimeout(timer); timer = null; }
      if (socket) { socket.close(); }
    },
    connect: function () { stopped = false; reconnectNow(); },
    lastSeq: function () { return lastSeq; }
  };
  connect();
})();
