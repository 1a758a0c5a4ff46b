// Live route preview on the filing form: asks /api/expenses/route-preview/ as the amount,
// category or community change, and lists the steps the request would take.
(function () {
  "use strict";
  var form = document.getElementById("expense-form");
  if (!form) return;
  var text = JSON.parse(document.getElementById("route-i18n").textContent);
  var list = document.getElementById("route-steps");
  var error = document.getElementById("route-error");
  // A hint is not an error: it is shown muted, apart from the error line.
  var hint = document.getElementById("route-hint");
  var policy = document.getElementById("route-policy");
  var timer = null;
  var seq = 0;

  function field(name) { return form.querySelector("[name=" + name + "]"); }

  // The embedded expense.extra fields (inputs named extra-<key>) steer conditional rows of the
  // authority table; fields hidden by their condition and detail-table cells are left out.
  function extraFacts() {
    var facts = {};
    Array.prototype.forEach.call(form.querySelectorAll('[name^="extra-"]'), function (el) {
      var key = el.name.slice(6);
      if (key.indexOf("-") >= 0 || el.type === "file" || el.closest("[data-field][hidden]")) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (el.type === "checkbox") { (facts[key] = facts[key] || []).push(el.value); return; }
      facts[key] = el.type === "radio" && (el.value === "yes" || el.value === "no") ? el.value === "yes" : el.value;
    });
    return facts;
  }

  function render(data) {
    list.innerHTML = "";
    error.textContent = "";
    if (hint) { hint.textContent = ""; }
    policy.textContent = "(" + text.policy + " " + data.policy_version + ")";
    data.steps.forEach(function (step) {
      var li = document.createElement("li");
      li.setAttribute("data-step", step.step);
      var line = step.label + " · " + step.org_unit.name;
      if (step.holders.length) line += " (" + step.holders.join("、") + ")";
      li.textContent = line;
      if (step.note) {
        var small = document.createElement("small");
        small.textContent = " — " + (step.note === "auto_pass" ? text.auto : text.reviewer);
        li.appendChild(small);
      }
      list.appendChild(li);
    });
    list.setAttribute("data-count", String(data.steps.length));
  }

  function refresh() {
    var amount = field("amount").value.trim();
    if (!amount) {
      list.innerHTML = ""; list.setAttribute("data-count", "0"); error.textContent = "";
      if (hint) { hint.textContent = text.empty; }
      return;
    }
    var params = new URLSearchParams({
      community: field("community").value, amount: amount, category: field("category").value,
      extra: JSON.stringify(extraFacts())
    });
    var mine = ++seq;
    fetch(form.getAttribute("data-preview-url") + "?" + params.toString(), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (mine !== seq) return;  // a newer request is on its way
      if (result.ok) { render(result.body); return; }
      list.innerHTML = "";
      list.setAttribute("data-count", "0");
      var messages = [];
      Object.keys(result.body).forEach(function (key) { messages = messages.concat(result.body[key]); });
      error.textContent = messages.join(" ");
    }).catch(function () { /* offline: the server validates on submit anyway */ });
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 200); }
  form.addEventListener("change", function (ev) {
    if (ev.target.name && ev.target.name.indexOf("extra-") === 0) schedule();
  });
  ["amount", "category", "community"].forEach(function (name) {
    field(name).addEventListener("input", schedule);
    field(name).addEventListener("change", schedule);
  });
  refresh();
})();
