// Job progress on the spreadsheets page. Listens for {"type": "job.progress", job, progress, state}
// on the notification socket; it also polls /api/jobs/{id}/ (slowly while the socket is open, in
// case that socket does not relay job messages).
(function () {
  "use strict";
  var box = document.getElementById("jobs");
  if (!box) return;
  var jobUrl = box.dataset.jobUrl; // ends in /0/
  var socketOpen = false;
  var timer = null;

  function label(state) { return box.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)] || state; }
  function finished(state) { return state === "done" || state === "failed"; }
  function pending() { return Array.prototype.slice.call(box.querySelectorAll(".job")).filter(function (el) { return !finished(el.dataset.state); }); }

  function render(el, data) {
    el.dataset.state = data.state;
    el.querySelector("progress").value = data.progress;
    el.querySelector(".job-state").textContent = label(data.state);
    var link = el.querySelector(".job-link");
    var href = data.download || data.error_workbook;
    if (href && !link.querySelector("a")) {
      var a = document.createElement("a");
      a.href = href;
      a.setAttribute("download", "");
      a.textContent = data.download ? box.dataset.labelDownload : box.dataset.labelErrors;
      link.appendChild(a);
    }
  }

  function poll() {
    timer = null;
    var els = pending();
    if (!els.length) return;
    Promise.all(els.map(function (el) {
      return fetch(jobUrl.replace(/0\/$/, el.dataset.job + "/"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) render(el, data); })
        .catch(function () {});
    })).then(function () { if (pending().length) timer = setTimeout(poll, socketOpen ? 5000 : 1500); });
  }

  function onMessage(event) {
    var msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    if (!msg || msg.type !== "job.progress") return;
    var el = box.querySelector('.job[data-job="' + msg.job + '"]');
    if (!el) return;
    render(el, msg);
    // The socket message carries no links: fetch the row once the job has finished.
    if (finished(msg.state)) {
      fetch(jobUrl.replace(/0\/$/, msg.job + "/"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) render(el, data); });
    }
  }

  function connect() {
    if (!("WebSocket" in window) || !box.dataset.socketUrl) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try { socket = new WebSocket(scheme + location.host + box.dataset.socketUrl); } catch (e) { return; }
    socket.onopen = function () { socketOpen = true; };
    socket.onmessage = onMessage;
    socket.onclose = function () {
      var wasOpen = socketOpen;
      socketOpen = false;
      if (!timer) poll();
      if (wasOpen) setTimeout(connect, 3000);
    };
  }

  box.querySelectorAll(".job").forEach(function (el) { el.querySelector(".job-state").textContent = label(el.dataset.state); });
  poll();
  connect();
})();
