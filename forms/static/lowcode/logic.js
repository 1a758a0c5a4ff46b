/* Gongying low-code forms: browser conveniences only. The server re-validates everything.
 * - show/hide fields by their show_if condition and mark required_if fields;
 * - live computed values from the pre-parsed expression trees the server sends;
 * - add/remove rows of detail tables; the amount of money fields in Chinese capitals.
 * Conditions and trees follow forms/conditions.py and forms/expressions.py. */
(function () {
  "use strict";

  function num(v) {
    if (v === null || v === undefined || v === "" || typeof v === "boolean") return null;
    var n = Number(String(v).trim());
    return isFinite(n) ? n : null;
  }
  function isEmpty(v) {
    return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
  }
  function eq(a, b) {
    if (typeof a === "boolean" || typeof b === "boolean") return a === b;
    var na = num(a), nb = num(b);
    if (na !== null && nb !== null) return na === nb;
    return String(a) === String(b);
  }
  function order(a, b) {
    var na = num(a), nb = num(b);
    if (na !== null && nb !== null) return na > nb ? 1 : na < nb ? -1 : 0;
    if (typeof a === "string" && typeof b === "string") return a > b ? 1 : a < b ? -1 : 0;
    return null;
  }
  function evaluate(c, data) {
    if (!c) return true;
    if (c.all) return c.all.every(function (x) { return evaluate(x, data); });
    if (c.any) return c.any.some(function (x) { return evaluate(x, data); });
    var v = data[c.field], e = c.value;
    switch (c.op) {
      case "empty": return isEmpty(v);
      case "not_empty": return !isEmpty(v);
      case "eq": return !isEmpty(v) && eq(v, e);
      case "ne": return isEmpty(v) || !eq(v, e);
      case "in": return !isEmpty(v) && [].concat(e).some(function (o) { return eq(v, o); });
      case "contains":
        if (Array.isArray(v)) return v.some(function (i) { return eq(i, e); });
        return typeof v === "string" && v.indexOf(String(e)) >= 0;
    }
    if (isEmpty(v)) return false;
    var o = order(v, e);
    if (o === null) return false;
    return { gt: o > 0, ge: o >= 0, lt: o < 0, le: o <= 0 }[c.op] || false;
  }
  function compute(t, values, tables) {
    switch (t[0]) {
      case "num": return Number(t[1]);
      case "name": return num(values[t[1]]) || 0;
      case "sum": return (tables[t[1]] || []).reduce(function (s, r) { return s + (num(r[t[2]]) || 0); }, 0);
      case "neg": return -compute(t[1], values, tables);
    }
    var a = compute(t[1], values, tables), b = compute(t[2], values, tables);
    return t[0] === "+" ? a + b : t[0] === "-" ? a - b : t[0] === "*" ? a * b : b === 0 ? NaN : a / b;
  }

  var DIGITS = "零壹贰叁肆伍陆柒捌玖", UNITS = ["", "拾", "佰", "仟"], GROUPS = ["", "万", "亿", "万亿"];
  function rmb(value) {
    var n = num(value);
    if (n === null || Math.abs(n) >= 1e16) return "";
    var neg = n < 0, cents = Math.round(Math.abs(n) * 100), yuan = Math.floor(cents / 100), rest = cents % 100;
    var out = "", s = String(yuan), zero = false;
    for (var i = 0; i < s.length; i++) {
      var d = Number(s[i]), pos = s.length - 1 - i;
      if (d === 0) { zero = true; } else { if (zero && out) out += "零"; zero = false; out += DIGITS[d] + UNITS[pos % 4]; }
      if (pos % 4 === 0 && pos > 0 && /[壹贰叁肆伍陆柒捌玖拾佰仟]$/.test(out)) out += GROUPS[pos / 4];
    }
    out = (out || (rest ? "" : "零")) + (out || !rest ? "元" : "");
    if (!rest) return (neg ? "负" : "") + out + "整";
    var jiao = Math.floor(rest / 10), fen = rest % 10;
    out += jiao ? DIGITS[jiao] + "角" : (yuan ? "零" : "");
    if (fen) out += DIGITS[fen] + "分";
    return (neg ? "负" : "") + out;
  }

  function readField(root, key, kind) {
    // `key` is the input name (with the form prefix, if any).
    var q = function (sel) { return root.querySelector(sel); };
    if (kind === "multiple_choice") {
      return Array.prototype.map.call(root.querySelectorAll('input[name="' + key + '"]:checked'), function (e) { return e.value; });
    }
    if (kind === "yes_no") {
      var r = q('input[name="' + key + '"]:checked');
      return r ? r.value === "yes" : null;
    }
    if (kind === "date_range") {
      var a = q('[name="' + key + '_0"]'), b = q('[name="' + key + '_1"]');
      return a && b && a.value && b.value ? { start: a.value, end: b.value } : null;
    }
    if (kind === "table") return readTable(root, key);
    var el = q('[name="' + key + '"]');
    if (!el) return null;
    return el.type === "file" ? (el.files && el.files.length ? el.files[0].name : null) : el.value;
  }
  function readTable(root, key) {
    var box = root.querySelector('[data-table="' + key + '"]');
    if (!box) return [];
    return Array.prototype.map.call(box.querySelectorAll("tbody tr"), function (tr) {
      var row = {};
      Array.prototype.forEach.call(tr.querySelectorAll("[data-column]"), function (el) { row[el.dataset.column] = el.value; });
      return row;
    });
  }
  function renumber(box, key) {
    var rows = box.querySelectorAll("tbody tr");
    Array.prototype.forEach.call(rows, function (tr, i) {
      tr.dataset.row = i;
      Array.prototype.forEach.call(tr.querySelectorAll("[name]"), function (el) {
        el.name = el.name.replace(new RegExp("^" + key + "-[^-]+-"), key + "-" + i + "-");
        if (el.id) el.id = "id_" + el.name;
      });
    });
    box.querySelector("[data-row-count]").value = rows.length;
  }

  var NO_ATTRIBUTE = ["multiple_choice", "table", "computed", "static"];

  function init(root, logic) {
    var fields = logic.fields, computed = logic.computed || [];
    var name = function (key) { return logic.prefix ? logic.prefix + "-" + key : key; };
    function refresh() {
      var raw = {};
      Object.keys(fields).forEach(function (k) { raw[k] = readField(root, name(k), fields[k].kind); });
      var visible = Object.keys(fields), n = visible.length + 1;
      for (var round = 0; round < n; round++) {
        var view = {};
        visible.forEach(function (k) { view[k] = raw[k]; });
        var now = Object.keys(fields).filter(function (k) { return evaluate(fields[k].show_if, view); });
        if (now.join() === visible.join()) break;
        visible = now;
      }
      var data = {};
      visible.forEach(function (k) { data[k] = raw[k]; });
      computed.forEach(function (c) {
        if (!c.table) return;
        var box = root.querySelector('[data-table="' + name(c.table) + '"]');
        if (!box) return;
        Array.prototype.forEach.call(box.querySelectorAll("tbody tr"), function (tr) {
          var row = {};
          Array.prototype.forEach.call(tr.querySelectorAll("[data-column]"), function (el) { row[el.dataset.column] = el.value; });
          var out = tr.querySelector('[data-column="' + c.key + '"]'), v = compute(c.tree, row, {});
          if (out) { out.value = isFinite(v) ? v.toFixed(c.places) : ""; out.readOnly = true; }
        });
        data[c.table] = readTable(root, name(c.table));
      });
      var tables = {};
      Object.keys(fields).forEach(function (k) { if (fields[k].kind === "table") tables[k] = visible.indexOf(k) >= 0 ? readTable(root, name(k)) : []; });
      computed.forEach(function (c) {
        if (c.table) return;
        var v = compute(c.tree, data, tables), el = root.querySelector('[data-computed="' + c.key + '"]');
        data[c.key] = isFinite(v) ? v.toFixed(c.places) : "";
        if (el) el.value = data[c.key];
      });
      Object.keys(fields).forEach(function (k) {
        var box = root.querySelector('[data-field="' + k + '"]');
        var shown = visible.indexOf(k) >= 0;
        if (box) box.hidden = !shown;
        var star = root.querySelector('[data-required-for="' + k + '"]');
        var conditional = !!fields[k].required_if && evaluate(fields[k].required_if, data);
        if (star && fields[k].required_if) star.hidden = !conditional;
        // The browser's own check follows what the server will require: a hidden field is never
        // required (a hidden required input would block the form), a shown one when it is
        // required or its required_if holds. Groups and tables carry no attribute (see builder).
        if (box && NO_ATTRIBUTE.indexOf(fields[k].kind) < 0) {
          var must = shown && (fields[k].required || conditional);
          Array.prototype.forEach.call(box.querySelectorAll("input:not([type=hidden]), select, textarea"), function (el) {
            el.required = must;
            if (must) el.setAttribute("aria-required", "true"); else el.removeAttribute("aria-required");
          });
        }
      });
      Array.prototype.forEach.call(root.querySelectorAll("[data-capitals-for]"), function (el) {
        var input = root.querySelector('[name="' + name(el.dataset.capitalsFor) + '"]');
        el.textContent = input ? rmb(input.value) : "";
      });
    }
    root.addEventListener("input", refresh);
    root.addEventListener("change", refresh);
    root.addEventListener("click", function (ev) {
      var add = ev.target.closest("[data-add-row]"), del = ev.target.closest("[data-remove-row]");
      var box = ev.target.closest("[data-table]");
      if (!box || !(add || del)) return;
      var key = box.dataset.table;
      if (add) {
        var count = box.querySelectorAll("tbody tr").length;
        if (count >= Number(box.dataset.maxRows)) return;
        var html = box.querySelector("template").innerHTML.split("__i__").join(String(count));
        box.querySelector("tbody").insertAdjacentHTML("beforeend", html);
      } else {
        del.closest("tr").remove();
      }
      renumber(box, key);
      refresh();
    });
    refresh();
    return refresh;
  }

  window.Lowcode = { init: init, evaluate: evaluate, compute: compute, rmb: rmb };
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-lowcode-form]"), function (root) {
      var logic = document.getElementById(root.dataset.lowcodeForm);
      if (logic) init(root, JSON.parse(logic.textContent));
    });
  });
})();
