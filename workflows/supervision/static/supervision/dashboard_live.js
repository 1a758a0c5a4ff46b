/* Street dashboard live: the notification socket says "changed" when a task of a community I
   watch is created, decided or becomes overdue; the page then reads its counters again from the
   dashboard API (the server stays the one source of the figures). No polling: without a push
   nothing is fetched. Bursts (one action raises several events) are read once. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root) { return; }
  var timer = null;

  function pick(object, path) {
    return path.split(".").reduce(function (value, key) { return value == null ? value : value[key]; }, object);
  }

  function apply(section, figures) {
    if (!section || !figures) { return; }
    section.querySelectorAll("[data-live]").forEach(function (element) {
      var value = pick(figures, element.getAttribute("data-live"));
      if (value == null) { return; }
      element.textContent = String(value);
      element.classList.toggle("alert", /overdue$/.test(element.getAttribute("data-live")) && Number(value) > 0);
    });
  }

  function refresh() {
    timer = null;
    fetch(root.getAttribute("data-live-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.communities.forEach(function (c) {
          apply(root.querySelector('[data-community-id="' + c.id + '"]'), c);
        });
        apply(root.querySelector('[data-community-id="street"]'), data.street);
        var stamp = root.querySelector('[data-testid="as-of"]');
        if (stamp && data.as_of) { stamp.textContent = new Date(data.as_of).toLocaleString(); }
      })
      .catch(function () { /* offline: the next push or a reload catches up */ });
  }

  document.addEventListener("gongying:changed", function (event) {
    if (!event.detail || event.detail.topic !== "street") { return; }
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(refresh, 250);
  });
})();
