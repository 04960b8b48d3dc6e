/* The live connection of every signed-in page: one WebSocket to /ws/feed/ (the session cookie
 * signs it in), reconnecting with backoff and asking for what it missed (`resume`).
 *
 * Each server event is re-dispatched on `document` as a DOM event named `sb:<type>`
 * (`sb:feed.activity`, `sb:feed.removed`, `sb:notification`, `sb:session.revoked`), with the
 * event as `detail`; page scripts listen to those. The unread badge is kept here.
 *
 * Reconnecting (the `reconnect` rule of /api/events.json, feed/events.py): a random wait,
 * uniform between 0 and a window that starts at 2 s and doubles after every attempt that did
 * not reach `hello`, capped at 60 s. A deploy closes every socket of a server at once; the
 * random wait spreads their browsers over the window instead of sending them back together.
 * No inline script anywhere: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  const body = document.body;
  if (!body || body.dataset.live !== "on") return;

  let socket = null;
  let lastActivity = Number(body.dataset.lastActivity || 0);
  // Attempts since the last socket that said `hello`.
  let attempts = 0;
  let closedForGood = false;
  const RETRY_FIRST_MS = 2000;
  const RETRY_CAP_MS = 60000;

  function retryDelay(attempt) {
    const span = Math.min(RETRY_CAP_MS, RETRY_FIRST_MS * Math.pow(2, attempt));
    return Math.random() * span;
  }
  window.sbRetryDelay = retryDelay;

  function emit(type, detail) {
    document.dispatchEvent(new CustomEvent("sb:" + type, { detail: detail }));
  }

  function toast(text) {
    const region = document.getElementById("toasts");
    if (!region) return;
    const item = document.createElement("p");
    item.className = "toast";
    item.textContent = text;
    region.appendChild(item);
    setTimeout(function () { item.remove(); }, 5000);
  }
  window.sbToast = toast;

  function setBadge(count) {
    const badge = document.getElementById("unread-badge");
    if (!badge) return;
    badge.dataset.count = String(count);
    badge.hidden = count <= 0;
    const number = badge.lastChild;
    if (number) number.textContent = String(count);
  }
  window.sbSetBadge = setBadge;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/feed/");
    socket.addEventListener("open", function () {
      if (lastActivity) socket.send(JSON.stringify({ type: "resume", after: lastActivity }));
      emit("live.open", {});
    });
    socket.addEventListener("message", function (message) {
      let event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type === "hello") attempts = 0;
      if (event.type === "feed.activity" && event.activity && event.activity.id > lastActivity) {
        lastActivity = event.activity.id;
      }
      if (event.type === "notification") {
        const badge = document.getElementById("unread-badge");
        setBadge(Number((badge && badge.dataset.count) || 0) + 1);
      }
      if (event.type === "session.revoked") {
        closedForGood = true;
        location.assign("/signin/");
      }
      emit(event.type, event);
    });
    socket.addEventListener("close", function (closing) {
      emit("live.closed", { code: closing.code });
      if (closedForGood || closing.code === 4401 || closing.code === 4403) return;
      const delay = retryDelay(attempts);
      attempts += 1;
      setTimeout(connect, delay);
    });
  }

  window.sbLive = {
    send: function (message) {
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    },
    seen: function (activityId) {
      if (activityId > lastActivity) lastActivity = activityId;
    },
  };
  connect();
})();
