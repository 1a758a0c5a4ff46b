/* Form designer: edits the schema JSON of one draft version, previews it through the server
 * (the same builder and template as the fill page), saves, publishes and retires through the API.
 * Reordering uses SortableJS (shipped under vendor/). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("designer-config").textContent);
  var T = config.text, version = config.version, editable = version.state === "draft";
  var csrf = document.querySelector("#designer-csrf [name=csrfmiddlewaretoken]").value;
  var api = "/api/forms/designer/";
  var state = { sections: [] }, selected = null, previewTimer = null;
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  function load(schema) {
    state.sections = (schema.sections || []).map(function (s) {
      var fields = [];
      (s.rows || []).forEach(function (row) {
        row.fields.forEach(function (f, i) { f._join = i > 0; fields.push(f); });
      });
      return { title_zh: s.title_zh || "", title_en: s.title_en || "", fields: fields };
    });
    if (!state.sections.length) state.sections.push({ title_zh: "", title_en: "", fields: [] });
  }

  function clean(obj) {
    var out = {};
    Object.keys(obj).forEach(function (k) {
      var v = obj[k];
      if (k[0] === "_" || v === "" || v === null || v === undefined || v === false) return;
      if (typeof v === "object" && !Array.isArray(v)) { v = clean(v); if (!Object.keys(v).length) return; }
      out[k] = v;
    });
    return out;
  }

  function schema() {
    return {
      sections: state.sections.map(function (s) {
        var rows = [];
        s.fields.forEach(function (f) {
          var last = rows[rows.length - 1];
          if (f._join && last && last.fields.length < 4) last.fields.push(clean(f));
          else rows.push({ fields: [clean(f)] });
        });
        return clean({ title_zh: s.title_zh, title_en: s.title_en, rows: rows });
      }).map(function (s) { s.rows = s.rows || []; return s; })
    };
  }

  function allFields() {
    return state.sections.reduce(function (a, s) { return a.concat(s.fields); }, []);
  }

  function kindLabel(name) {
    var k = config.kinds.filter(function (k) { return k.name === name; })[0];
    return k ? k.label : name;
  }

  function renderList() {
    var box = $("#sections");
    box.innerHTML = "";
    state.sections.forEach(function (s, si) {
      var title = document.createElement("input");
      title.placeholder = T.section_title;
      // A placeholder vanishes once typed into; screen readers need a lasting name.
      title.setAttribute("aria-label", T.section_title);
      title.value = s.title_zh;
      title.disabled = !editable;
      title.addEventListener("input", function () { s.title_zh = title.value; schedulePreview(); });
      var ul = document.createElement("ul");
      ul.className = "designer-list";
      ul.dataset.section = si;
      s.fields.forEach(function (f) {
        var li = document.createElement("li");
        li.dataset.key = f.key;
        li.setAttribute("aria-selected", f === selected ? "true" : "false");
        if (f._join) li.classList.add("joined");
        var label = document.createElement("span");
        label.textContent = (f.label_zh || f.key) + " · " + kindLabel(f.kind) + (f.show_if ? " ⓘ" : "");
        li.appendChild(label);
        if (editable) {
          var del = document.createElement("button");
          del.type = "button";
          del.className = "outline secondary small-button";
          del.textContent = "×";
          del.title = T.delete;
          del.addEventListener("click", function (ev) {
            ev.stopPropagation();
            s.fields.splice(s.fields.indexOf(f), 1);
            if (selected === f) select(null);
            renderList();
            schedulePreview();
          });
          li.appendChild(del);
        }
        li.addEventListener("click", function () { select(f); });
        ul.appendChild(li);
      });
      box.appendChild(title);
      box.appendChild(ul);
      if (editable && window.Sortable) {
        window.Sortable.create(ul, {
          group: "fields",
          animation: 120,
          onEnd: function (ev) {
            var from = state.sections[ev.from.dataset.section], to = state.sections[ev.to.dataset.section];
            var moved = from.fields.splice(ev.oldIndex, 1)[0];
            to.fields.splice(ev.newIndex, 0, moved);
            renderList();
            schedulePreview();
          }
        });
      }
    });
  }

  function get(obj, path) {
    return path.split(".").reduce(function (o, k) { return o ? o[k] : undefined; }, obj);
  }
  function set(obj, path, value) {
    var parts = path.split("."), last = parts.pop();
    parts.forEach(function (k) { if (!obj[k] || typeof obj[k] !== "object") obj[k] = {}; obj = obj[k]; });
    if (value === undefined) delete obj[last]; else obj[last] = value;
  }

  var NUMBERS = ["validators.min_length", "validators.max_length", "validators.max_size_kb", "decimal_places", "min_rows", "max_rows"];
  var JSONS = ["show_if", "required_if", "columns"];

  function toInput(path, value) {
    if (value === undefined || value === null) return "";
    if (path === "validators.choices") return value.map(function (c) { return c.value + "=" + c.label_zh; }).join("\n");
    if (path === "validators.extensions") return value.join(", ");
    if (JSONS.indexOf(path) >= 0) return JSON.stringify(value);
    return String(value);
  }
  function fromInput(path, text, el) {
    if (el.type === "checkbox") return el.checked;
    text = text.trim();
    if (text === "") return undefined;
    if (path === "validators.choices") {
      return text.split("\n").filter(Boolean).map(function (line) {
        var i = line.indexOf("="), value = i < 0 ? line : line.slice(0, i), label = i < 0 ? line : line.slice(i + 1);
        return { value: value.trim(), label_zh: label.trim() };
      });
    }
    if (path === "validators.extensions") return text.split(",").map(function (e) { return e.trim(); }).filter(Boolean);
    if (NUMBERS.indexOf(path) >= 0) return Number(text);
    if (JSONS.indexOf(path) >= 0) { try { return JSON.parse(text); } catch (e) { return text; } }
    return text;
  }

  function conditionToParts(box, cond) {
    var simple = cond && cond.field ? cond : null;
    $("[data-cond-part=field]", box).value = simple ? simple.field : "";
    $("[data-cond-part=op]", box).value = simple ? simple.op : "";
    $("[data-cond-part=value]", box).value = simple && simple.value !== undefined ? [].concat(simple.value).join(",") : "";
  }
  function partsToCondition(box) {
    var field = $("[data-cond-part=field]", box).value, op = $("[data-cond-part=op]", box).value;
    var raw = $("[data-cond-part=value]", box).value.trim();
    if (!field || !op) return undefined;
    var parse = function (v) { return v === "true" ? true : v === "false" ? false : v; };
    var cond = { field: field, op: op };
    if (op === "in") cond.value = raw.split(",").map(function (v) { return parse(v.trim()); });
    else if (op !== "empty" && op !== "not_empty") cond.value = parse(raw);
    return cond;
  }

  // Options that only some kinds take are shown only for those kinds.
  var KIND_OPTIONS = ["min", "max", "min_length", "max_length", "pattern", "choices", "max_size_kb", "extensions",
    "expression", "decimal_places", "columns", "min_rows", "max_rows", "link_kind"];
  function showOptionsFor(kind) {
    var k = config.kinds.filter(function (k) { return k.name === kind; })[0] || { allowed: [], input: true };
    $$("#editor [data-prop]").forEach(function (el) {
      var name = el.dataset.prop.replace("validators.", "");
      if (KIND_OPTIONS.indexOf(name) < 0) return;
      el.closest("label").hidden = k.allowed.indexOf(name) < 0;
    });
    $$('#editor [data-prop="required"], #editor [data-prop="required_if"]').forEach(function (el) {
      el.closest("label").hidden = !k.input;
    });
  }

  function select(f) {
    selected = f;
    var editor = $("#editor");
    editor.hidden = !f;
    renderList();
    if (!f) return;
    showOptionsFor(f.kind);
    $$("[data-prop]", editor).forEach(function (el) {
      var value = get(f, el.dataset.prop);
      if (el.type === "checkbox") el.checked = !!value; else el.value = toInput(el.dataset.prop, value);
    });
    $$("[data-cond]", editor).forEach(function (box) {
      var select = $("[data-cond-part=field]", box);
      select.innerHTML = '<option value="">—</option>';
      allFields().forEach(function (o) {
        if (o === f || o.kind === "static") return;
        var opt = document.createElement("option");
        opt.value = o.key;
        opt.textContent = o.label_zh + " (" + o.key + ")";
        select.appendChild(opt);
      });
      conditionToParts(box, f[box.dataset.cond]);
    });
  }

  function wireEditor() {
    var editor = $("#editor");
    $("[data-prop=kind]", editor).innerHTML = config.kinds.map(function (k) {
      return '<option value="' + k.name + '"></option>';
    }).join("");
    $$("[data-prop=kind] option", editor).forEach(function (o, i) { o.textContent = config.kinds[i].label; });
    editor.addEventListener("input", function (ev) {
      if (!selected || !editable) return;
      var el = ev.target;
      if (el.dataset.prop) {
        set(selected, el.dataset.prop, fromInput(el.dataset.prop, el.value, el));
        if (el.dataset.prop === "kind") showOptionsFor(selected.kind);
        if (JSONS.indexOf(el.dataset.prop) >= 0 && el.dataset.prop !== "columns") {
          var box = $('[data-cond="' + el.dataset.prop + '"]', editor);
          if (box) conditionToParts(box, selected[el.dataset.prop]);
        }
      } else if (el.dataset.condPart) {
        var cbox = el.closest("[data-cond]"), name = cbox.dataset.cond, cond = partsToCondition(cbox);
        set(selected, name, cond);
        $('[data-prop="' + name + '"]', editor).value = toInput(name, cond);
      }
      $$("#sections li").forEach(function (li) { if (li.getAttribute("aria-selected") === "true") li.firstChild.textContent = (selected.label_zh || selected.key) + " · " + kindLabel(selected.kind) + (selected.show_if ? " ⓘ" : ""); });
      schedulePreview();
    });
    editor.addEventListener("change", function (ev) { editor.dispatchEvent(new Event("input")); if (ev.target.dataset.prop === "_join") renderList(); });
  }

  function showErrors(errors) {
    var box = $("#errors");
    box.innerHTML = "";
    if (!errors) return;
    var ul = document.createElement("ul");
    Object.keys(errors).forEach(function (path) {
      [].concat(errors[path]).forEach(function (m) {
        var li = document.createElement("li");
        li.textContent = (path === "schema" || path === "detail" ? "" : path + ": ") + m;
        ul.appendChild(li);
      });
    });
    box.appendChild(ul);
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    });
  }

  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 250);
  }
  function preview() {
    return request("POST", api + "preview/", { schema: schema() }).then(function (res) {
      if (!res.ok) { showErrors(res.data); return; }
      showErrors(null);
      var old = $("#preview"), fresh = old.cloneNode(false);
      fresh.innerHTML = res.data.html;
      old.parentNode.replaceChild(fresh, old);
      window.Lowcode.init(fresh, res.data.logic);
    });
  }

  function save() {
    $("#status").textContent = T.saving;
    return request("PUT", api + "versions/" + version.id + "/", { schema: schema() }).then(function (res) {
      if (!res.ok) { showErrors(res.data); $("#status").textContent = T.not_saved; return false; }
      showErrors(null);
      $("#status").textContent = T.saved;
      return true;
    });
  }
  function transition(name) {
    return request("POST", api + "versions/" + version.id + "/" + name + "/").then(function (res) {
      if (!res.ok) { showErrors(res.data); return; }
      window.location.reload();
    });
  }

  function newKey(kind) {
    var keys = allFields().map(function (f) { return f.key; }), i = keys.length + 1;
    while (keys.indexOf("field_" + i) >= 0) i++;
    return "field_" + i;
  }

  load(version.schema);
  wireEditor();
  renderList();
  preview();
  var kindSelect = $("#new-kind");
  if (kindSelect) {
    config.kinds.forEach(function (k) {
      var o = document.createElement("option");
      o.value = k.name;
      o.textContent = k.label;
      kindSelect.appendChild(o);
    });
    $("#add-field").addEventListener("click", function () {
      var kind = kindSelect.value, f = { key: newKey(kind), label_zh: T.new_field, kind: kind };
      if (kind === "single_choice" || kind === "multiple_choice") f.validators = { choices: [{ value: "a", label_zh: "A" }, { value: "b", label_zh: "B" }] };
      if (kind === "computed") f.expression = "0";
      if (kind === "table") f.columns = [{ key: "name", label_zh: T.new_field, kind: "text" }];
      if (kind === "link" && config.links.length) f.link_kind = config.links[0];
      state.sections[state.sections.length - 1].fields.push(f);
      select(f);
      schedulePreview();
    });
    $("#add-section").addEventListener("click", function () {
      state.sections.push({ title_zh: "", title_en: "", fields: [] });
      renderList();
    });
  }
  var on = function (id, fn) { var el = document.getElementById(id); if (el) el.addEventListener("click", fn); };
  on("save", save);
  on("publish", function () { save().then(function (ok) { if (ok && window.confirm(T.confirm_publish)) transition("publish"); }); });
  on("retire", function () { if (window.confirm(T.confirm_retire)) transition("retire"); });
  on("new-draft", function () {
    request("POST", api + "definitions/" + config.definition.code + "/drafts/").then(function (res) {
      if (res.ok) window.location.href = "../" + res.data.id + "/";
      else showErrors(res.data);
    });
  });
})();
