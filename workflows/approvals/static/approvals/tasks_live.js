/* 待办 live: a notification about a task of mine (assigned, queued for my role, transferred,
   escalated) makes the page read the open-task count again — the menu's badge and the 待办
   tab — and, on the 待办 page, the list itself. The server stays the one source of the count:
   tasks also leave without a notification (a colleague claims a queue task, a vote closes). */
(function () {
  "use strict";
  var TASK_KINDS = { "task.assigned": 1, "task.queued": 1, "task.transferred": 1, "task.escalated": 1 };

  function setBadge(holder, count, testid) {
    if (!holder) { return; }
    var badge = holder.querySelector(".badge");
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      if (testid) { badge.setAttribute("data-testid", testid); }
      holder.appendChild(document.createTextNode(" "));
      holder.appendChild(badge);
    }
    badge.textContent = String(count);
    badge.hidden = !count;
  }

  function refreshCount() {
    fetch("/api/tasks/count/", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        setBadge(document.querySelector('[data-nav="approvals"]'), data.count, "nav-badge-approvals");
        setBadge(document.querySelector('[data-testid="tab-inbox"]'), data.count, "task-count");
      })
      .catch(function () { /* offline: the next notification or page load catches up */ });
  }

  function refreshList() {
    var region = document.querySelector('[data-testid="task-region"]');
    if (!region) { return; }
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector('[data-testid="task-region"]');
        // Keep what the reader ticked for a batch.
        var ticked = {};
        region.querySelectorAll('input[name="tasks"]:checked').forEach(function (box) { ticked[box.value] = true; });
        if (fresh) {
          region.replaceWith(fresh);
          fresh.querySelectorAll('input[name="tasks"]').forEach(function (box) { box.checked = !!ticked[box.value]; });
        }
      })
      .catch(function () {});
  }

  document.addEventListener("gongying:notification", function (event) {
    if (!event.detail || !TASK_KINDS[event.detail.kind]) { return; }
    refreshCount();
    refreshList();
  });
})();
