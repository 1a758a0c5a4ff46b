// A long list of names to tick (the copy-to picker, the signers to add) gets a search box that
// hides the names not matching what is typed. Without this script the list is simply shown in
// full, and the ticked boxes are posted either way: filtering only hides, it never unticks.
// Markup: <div data-filter-list data-filter-label="…" data-filter-empty="…"> … <label>…</label> … </div>
(function () {
  "use strict";

  function normalise(text) {
    return (text || "").replace(/\s+/g, "").toLowerCase();
  }

  function setUp(box) {
    var labels = Array.prototype.slice.call(box.querySelectorAll("label"));
    if (!labels.length) return;
    var search = document.createElement("input");
    search.type = "search";
    search.autocomplete = "off";
    search.placeholder = box.dataset.filterLabel || "";
    search.setAttribute("aria-label", box.dataset.filterLabel || "");
    search.setAttribute("data-filter-input", "");
    var empty = document.createElement("p");
    empty.className = "muted";
    empty.hidden = true;
    empty.setAttribute("role", "status");
    empty.textContent = box.dataset.filterEmpty || "";
    box.insertBefore(search, box.firstChild);
    box.appendChild(empty);
    search.addEventListener("input", function () {
      var query = normalise(search.value), shown = 0;
      labels.forEach(function (label) {
        var input = label.querySelector("input");
        // A ticked name stays in sight, so what will be posted is never hidden.
        var match = !query || normalise(label.textContent).indexOf(query) >= 0 || (input && input.checked);
        // Django wraps each choice in its own <div>; hide that wrapper, else the label itself.
        var row = label.parentElement !== box && label.parentElement.children.length === 1 ? label.parentElement : label;
        row.hidden = !match;
        if (match) shown += 1;
      });
      empty.hidden = shown > 0;
    });
    // Enter in the search box must not send the whole form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-filter-list]"), setUp);
  });
})();
