// sealant's HTML report: builds the findings table from the JSON in #data, with filters
// (severity, rule, where, history state, text), sorting by column, a detail row per finding,
// and chart bars that set a filter when clicked. DOM calls only (textContent, never
// innerHTML): nothing a scanned file holds is ever parsed as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var rules = data.rules;
  var all = data.findings;
  var SEVERITIES = ["critical", "high", "medium", "low", "info"];
  var PLACES = {
    "live-site": "live site",
    "public-bundle": "public bundle",
    "web-root": "web root",
    "mobile-app": "mobile app",
    "source": "source",
    "history": "history only"
  };
  var history = document.getElementById("findings").getAttribute("data-history") === "true";
  var state = { severity: "", rule: "", place: "", introduced: "", head: "", text: "", sort: "severity", dir: 1 };
  var open = {};

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function rank(s) { return SEVERITIES.indexOf(s); }
  function location(f) { return f.p + ":" + f.l + ":" + f.c; }
  function status(f) { return f.v ? f.v.status : ""; }
  function introduced(f) { return f.h && f.h.date ? f.h.date : ""; }

  var table = document.getElementById("table");
  if (all.length === 0) {
    document.getElementById("empty").hidden = false;
    return;
  }

  // Filters.
  var filters = el("div", { "class": "filters", role: "search" });
  function select(id, label, options) {
    var wrap = el("label", null, label + " ");
    var s = el("select", { id: id });
    options.forEach(function (o) { s.appendChild(el("option", { value: o[0] }, o[1])); });
    wrap.appendChild(s);
    filters.appendChild(wrap);
    return s;
  }
  var bySev = select("f-severity", "Severity", [["", "all"]].concat(SEVERITIES.filter(function (s) {
    return all.some(function (f) { return f.s === s; });
  }).map(function (s) { return [s, s]; })));
  var ruleCounts = rules.map(function () { return 0; });
  all.forEach(function (f) { ruleCounts[f.r] += 1; });
  var ruleOrder = rules.map(function (r, i) { return i; }).sort(function (a, b) {
    return ruleCounts[b] - ruleCounts[a] || rules[a].title.localeCompare(rules[b].title);
  });
  var byRule = select("f-rule", "Rule", [["", "all"]].concat(ruleOrder.map(function (i) {
    return [rules[i].id, rules[i].title + " (" + ruleCounts[i] + ")"];
  })));
  var byPlace = select("f-place", "Where", [["", "anywhere"]].concat(Object.keys(PLACES).filter(function (p) {
    return all.some(function (f) { return f.x === p; });
  }).map(function (p) { return [p, PLACES[p]]; })));
  var byHead = null;
  if (history) {
    byHead = select("f-head", "In HEAD", [["", "either"], ["yes", "still in HEAD"], ["no", "removed since"]]);
  }
  var textWrap = el("label", null, "Contains ");
  var byText = el("input", { id: "f-text", type: "search", placeholder: "path, rule or title", autocomplete: "off" });
  textWrap.appendChild(byText);
  filters.appendChild(textWrap);
  var clear = el("button", { id: "f-clear", type: "button" }, "Clear filters");
  filters.appendChild(clear);
  var shown = el("span", { id: "shown", "aria-live": "polite" });
  filters.appendChild(shown);
  table.appendChild(filters);

  // The table.
  var columns = [["severity", "Severity"], ["rule", "Finding"], ["location", "Location"], ["place", "Where"], ["secret", "Secret"], ["verified", "Verified"]];
  if (history) { columns.push(["introduced", "Introduced"]); }
  var t = el("table", { id: "findings-table" });
  var head = el("tr");
  var headers = {};
  columns.forEach(function (c) {
    var th = el("th", { "data-sort": c[0], scope: "col", tabindex: "0", "aria-sort": "none" }, c[1]);
    headers[c[0]] = th;
    th.addEventListener("click", function () { sortBy(c[0]); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(c[0]); } });
    head.appendChild(th);
  });
  var thead = el("thead");
  thead.appendChild(head);
  t.appendChild(thead);
  var tbody = el("tbody");
  t.appendChild(tbody);
  table.appendChild(t);

  var keys = {
    severity: function (f) { return rank(f.s); },
    rule: function (f) { return rules[f.r].title.toLowerCase(); },
    location: function (f) { return f.p.toLowerCase(); },
    place: function (f) { return f.x; },
    secret: function (f) { return f.k; },
    verified: function (f) { return status(f); },
    introduced: function (f) { return introduced(f); }
  };

  function sortBy(column) {
    if (state.sort === column) { state.dir = -state.dir; } else { state.sort = column; state.dir = 1; }
    render();
  }

  function matches(f) {
    if (state.severity && f.s !== state.severity) { return false; }
    if (state.rule && rules[f.r].id !== state.rule) { return false; }
    if (state.place && f.x !== state.place) { return false; }
    if (state.introduced && introduced(f).indexOf(state.introduced) !== 0) { return false; }
    if (state.head === "yes" && !(f.h && f.h.in_head)) { return false; }
    if (state.head === "no" && !(f.h && !f.h.in_head)) { return false; }
    if (state.text) {
      var r = rules[f.r];
      var hay = (f.p + "\n" + r.id + "\n" + r.title).toLowerCase();
      if (hay.indexOf(state.text) < 0) { return false; }
    }
    return true;
  }

  function cell(row, text, cls) {
    var td = el("td", cls ? { "class": cls } : null, text);
    row.appendChild(td);
    return td;
  }

  function row(i) {
    var f = all[i];
    var r = rules[f.r];
    var tr = el("tr", { "class": "finding", "data-index": String(i), "data-severity": f.s, tabindex: "0", "aria-expanded": open[i] ? "true" : "false" });
    var sev = cell(tr, "");
    sev.appendChild(el("span", { "class": "sev " + f.s }, f.s));
    var title = cell(tr, r.title);
    title.appendChild(el("small", null, " " + r.id));
    if (f.doc) { title.appendChild(el("span", { "class": "tag" }, "vendor docs sample")); }
    cell(tr, location(f), "loc");
    cell(tr, PLACES[f.x] || f.x, f.x === "source" || f.x === "history" ? "" : "public");
    cell(tr, f.k, "secret");
    cell(tr, status(f), status(f) === "active" ? "active" : "");
    if (history) { cell(tr, f.h ? (f.h.commit || "").slice(0, 10) + " " + introduced(f).slice(0, 10) : ""); }
    tr.addEventListener("click", function () { toggle(i); });
    tr.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(i); } });
    return tr;
  }

  function detail(i) {
    var f = all[i];
    var r = rules[f.r];
    var tr = el("tr", { "class": "detail", "data-detail": String(i) });
    var td = el("td", { colspan: String(columns.length) });
    var dl = el("dl");
    function item(k, v) {
      if (v === undefined || v === null || v === "") { return; }
      dl.appendChild(el("dt", null, k));
      dl.appendChild(el("dd", null, v));
    }
    item("Fix", r.remediation);
    var chain = f.p.split("!");
    item("Location", chain.length > 1 ? chain.join("  →  ") + "  (line " + f.l + ", column " + f.c + ")" : location(f));
    item("Rule", r.id);
    item("Detail", f.d);
    item("Decoded from", f.e);
    if (f.v) {
      var v = f.v.status + " — " + f.v.provider + ": " + f.v.detail;
      if (f.v.scopes && f.v.scopes.length) { v += " (can: " + f.v.scopes.join(", ") + ")"; }
      item("Verification", v);
    } else {
      item("Verification", "not verified (sealant scan --verify asks the provider)");
    }
    if (f.h) {
      item("Introduced", [f.h.commit, f.h.author, f.h.date].filter(Boolean).join(" · ") + (f.h.message ? " (in the commit message)" : ""));
      item("In repository", f.h.path);
      item("Still in HEAD", f.h.in_head ? "yes" : "no — removed, but every clone still has it: rotate the key");
      if (f.h.unreachable) { item("Reachable", "no ref reaches this commit (rewritten or dangling history)"); }
    }
    item("Fingerprint", f.f);
    td.appendChild(dl);
    tr.appendChild(td);
    return tr;
  }

  function toggle(i) {
    open[i] = !open[i];
    render();
  }

  function render() {
    var rows = [];
    for (var i = 0; i < all.length; i++) { if (matches(all[i])) { rows.push(i); } }
    var key = keys[state.sort];
    var dir = state.dir;
    rows.sort(function (a, b) {
      var ka = key(all[a]), kb = key(all[b]);
      if (ka < kb) { return -dir; }
      if (ka > kb) { return dir; }
      return a - b;
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (i) {
      frag.appendChild(row(i));
      if (open[i]) { frag.appendChild(detail(i)); }
    });
    tbody.textContent = "";
    tbody.appendChild(frag);
    shown.textContent = rows.length + " of " + all.length + (all.length === 1 ? " finding" : " findings") + " shown";
    Object.keys(headers).forEach(function (k) {
      headers[k].setAttribute("aria-sort", k === state.sort ? (dir > 0 ? "ascending" : "descending") : "none");
    });
  }

  function set(filter, value) {
    state[filter] = value;
    bySev.value = state.severity;
    byRule.value = state.rule;
    byPlace.value = state.place;
    if (byHead) { byHead.value = state.head; }
    render();
  }

  bySev.addEventListener("change", function () { set("severity", bySev.value); });
  byRule.addEventListener("change", function () { set("rule", byRule.value); });
  byPlace.addEventListener("change", function () { set("place", byPlace.value); });
  if (byHead) { byHead.addEventListener("change", function () { set("head", byHead.value); }); }
  byText.addEventListener("input", function () { state.text = byText.value.trim().toLowerCase(); render(); });
  clear.addEventListener("click", function () {
    state.severity = state.rule = state.place = state.introduced = state.head = state.text = "";
    byText.value = "";
    set("severity", "");
  });

  // Chart bars and the header's counts set a filter.
  function jump(filter, value) {
    set(filter, value);
    document.getElementById("findings").scrollIntoView();
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter]"), function (b) {
    var go = function () { jump(b.getAttribute("data-filter"), b.getAttribute("data-value")); };
    b.addEventListener("click", go);
    b.addEventListener("keydown", function (e) { if (e.key === "Enter") { go(); } });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".count[data-severity]"), function (b) {
    b.addEventListener("click", function () { jump("severity", b.getAttribute("data-severity")); });
  });

  render();
})();
