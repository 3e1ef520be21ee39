(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lv-data").textContent);
  var links = data.links || [];
  var files = data.files || [];
  var hosts = data.hosts || [];
  var runs = {};
  (data.runs || []).forEach(function (r) { runs[r[0]] = r[1]; });
  var now = Date.parse(data.now) || Date.now();
  var PAGE = 100;
  var ORDER = ["dead", "failing", "changed", "fragment_missing", "blocked", "moved", "alive", "new", "gone"];
  var CHECK = { o: "ok", b: "broken", f: "soft 404", u: "unreachable", x: "blocked", t: "throttled", s: "skipped" };

  function $(id) { return document.getElementById(id); }
  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] == null || attrs[k] === false) continue;
      if (k === "text") el.textContent = attrs[k];
      else if (k === "class") el.className = attrs[k];
      else el.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) {
      if (c == null) return;
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }
  // Only http(s) URLs and relative paths without a scheme become links.
  function web(u) { return /^https?:\/\//i.test(u || ""); }
  function relative(u) { return !!u && !/^[a-z][a-z0-9+.\-]*:/i.test(u) && u.indexOf("//") !== 0 && u.indexOf("\\") < 0; }
  function a(href, text, cls) {
    if (!web(href) && !relative(href)) return h("span", { "class": cls, text: text });
    return h("a", { href: href, "class": cls, rel: "noopener noreferrer nofollow", text: text });
  }
  function fmtNum(n) { return n.toLocaleString("en-US"); }
  function ago(iso) {
    var t = Date.parse(iso);
    if (!t) return "";
    var s = Math.max(0, (now - t) / 1000);
    if (s < 90) return "just now";
    if (s < 5400) return Math.round(s / 60) + " min ago";
    if (s < 129600) return Math.round(s / 3600) + " h ago";
    if (s < 86400 * 45) return Math.round(s / 86400) + " d ago";
    if (s < 86400 * 548) return Math.round(s / (86400 * 30.4)) + " mo ago";
    return (s / (86400 * 365)).toFixed(1) + " y ago";
  }
  function day(iso) { return iso ? iso.slice(0, 16).replace("T", " ") + " UTC" : ""; }
  function sourceHref(src) {
    // Only a path within the repository links into it: not an absolute
    // path (a note outside it) nor one above it.
    if (!data.repo || /^(\/|\\|[A-Za-z]:[\/\\]|\.\.(\/|$))/.test(files[src[0]])) return "";
    var path = files[src[0]].replace(/^\.\//, "").split("/").map(encodeURIComponent).join("/");
    return data.repo + path + (src[1] > 0 ? "#L" + src[1] : "");
  }
  // pathNode shows a file:line reference that a narrow column breaks
  // after a slash or before the line, not inside a name.
  function pathNode(el) {
    var parts = el.textContent.split(/(?<=\/)|(?=:\d)/);
    el.textContent = "";
    parts.forEach(function (p, i) {
      if (i) el.appendChild(document.createElement("wbr"));
      el.appendChild(document.createTextNode(p));
    });
    return el;
  }
  function loc(src) {
    var s = files[src[0]];
    if (src[1] > 0) s += ":" + src[1];
    if (src[2] > 0) s += ":" + src[2];
    return s;
  }

  // Derived fields, computed once.
  links.forEach(function (l, i) {
    l.i = i;
    l.rank = ORDER.indexOf(l.s);
    l.tok = l.x ? l.x.split(" ") : [];
    l.badN = l.tok.filter(function (t) { return t[0] === "b" || t[0] === "u"; }).length;
    l.recovered = !!l.c && (l.s === "alive" || l.s === "moved") && (l.p === "failing" || l.p === "dead");
    var hay = [l.u, l.n || "", l.r || "", l.m || "", l.q || "", l.o >= 0 ? hosts[l.o] : ""];
    (l.f || []).forEach(function (s) { hay.push(files[s[0]]); });
    l.hay = hay.join("\n").toLowerCase();
    l.fileSet = {};
    (l.f || []).forEach(function (s) { l.fileSet[s[0]] = true; });
    l.where = l.f && l.f.length ? files[l.f[0][0]] + "\u0000" + String(1e7 + l.f[0][1]) : "\uffff";
  });

  var state = { states: {}, q: "", host: "", file: "", changed: false, recovered: false, sort: "state", dir: 1, shown: PAGE };
  var view = [];

  var cmp = {
    state: function (x, y) { return x.rank - y.rank || (x.u < y.u ? -1 : x.u > y.u ? 1 : 0); },
    url: function (x, y) { return x.u < y.u ? -1 : x.u > y.u ? 1 : 0; },
    since: function (x, y) { return (x.t || "") < (y.t || "") ? -1 : (x.t || "") > (y.t || "") ? 1 : 0; },
    status: function (x, y) { return (x.h || 0) - (y.h || 0) || ((x.r || "") < (y.r || "") ? -1 : (x.r || "") > (y.r || "") ? 1 : 0); },
    where: function (x, y) { return x.where < y.where ? -1 : x.where > y.where ? 1 : 0; },
    checks: function (x, y) { return x.badN - y.badN || (x.b || 0) - (y.b || 0); }
  };

  function apply() {
    var anyState = Object.keys(state.states).some(function (k) { return state.states[k]; });
    var q = state.q.trim().toLowerCase();
    var hostIdx = state.host === "" ? -1 : +state.host;
    var fileIdx = state.file === "" ? -1 : +state.file;
    view = links.filter(function (l) {
      if (anyState && !state.states[l.s]) return false;
      if (state.changed && !l.c) return false;
      if (state.recovered && !l.recovered) return false;
      if (hostIdx >= 0 && l.o !== hostIdx) return false;
      if (fileIdx >= 0 && !l.fileSet[fileIdx]) return false;
      if (q && l.hay.indexOf(q) < 0) return false;
      return true;
    });
    var c = cmp[state.sort] || cmp.state, dir = state.dir;
    view.sort(function (x, y) { return dir * c(x, y) || x.i - y.i; });
    render();
    sync();
  }

  function strip(l) {
    var el = h("span", { "class": "strip", role: "img" });
    var first = l.xr || 0, bad = 0;
    l.tok.forEach(function (t, i) {
      var name = CHECK[t[0]] || "skipped";
      if (t[0] === "b" || t[0] === "f" || t[0] === "u") bad++;
      var tip = name + (t.length > 1 ? " · HTTP " + t.slice(1) : "");
      if (first) {
        var id = first + i;
        tip = "Run #" + id + (runs[id] ? " · " + day(runs[id]) : "") + ": " + tip;
      }
      el.appendChild(h("i", { "class": "k k-" + t[0], title: tip }));
    });
    el.setAttribute("aria-label", l.tok.length ? l.tok.length + " checks, " + bad + " bad" : "no check yet");
    return el;
  }

  function row(l) {
    var tr = h("tr", { "data-state": l.s, "class": l.vs ? "stale" : null });
    tr.appendChild(h("td", { "class": "c-state" }, [
      h("span", { "class": "state s-" + l.s }, [h("span", { "class": "dot" }), l.s]),
      l.c ? h("span", { "class": "new-flag s-" + l.s, title: "changed in this run" + (l.p ? " (was " + l.p + ")" : ""), text: "this run" }) : null
    ]));
    var urlCell = h("td", { "class": "c-url" }, [l.l ? a(l.u, l.u, "url") : h("span", { "class": "url", text: l.u })]);
    if (l.n) urlCell.appendChild(h("div", { "class": "title", text: l.n }));
    tr.appendChild(urlCell);
    tr.appendChild(h("td", { "class": "c-since", "data-label": "Since" }, [
      l.t ? h("time", { datetime: l.t, title: day(l.t), text: ago(l.t) }) : "–"
    ]));
    var st = h("td", { "class": "c-status", "data-label": "Last check" });
    if (l.h) st.appendChild(h("span", { "class": "code", text: String(l.h) }));
    if (l.r && l.r !== String(l.h)) st.appendChild(h("span", { "class": "reason", text: l.r }));
    if (!l.h && !l.r) st.appendChild(document.createTextNode("–"));
    if (l.b > 1) st.appendChild(h("div", { "class": "reason", text: l.b + " bad in a row" + (l.g ? " · last ok " + ago(l.g) : "") }));
    if (l.q) st.appendChild(h("div", { "class": "reason note", text: l.q }));
    // When the verdict was made: a budgeted night leaves some for later,
    // and one older than policy.max_age says so in words, not colour alone.
    if (l.v) st.appendChild(h("div", { "class": "verified" }, [
      h("time", { datetime: l.v, title: day(l.v), text: "verified " + ago(l.v) }),
      l.vs ? h("span", { "class": "stale-flag", title: "older than policy.max_age" + (data.max_age ? " (" + data.max_age + ")" : ""), text: "stale" }) : null
    ]));
    tr.appendChild(st);
    var where = h("td", { "class": "c-where", "data-label": "Found in" });
    var srcs = l.f || [];
    srcs.slice(0, 3).forEach(function (s) {
      var href = sourceHref(s);
      where.appendChild(pathNode(href ? a(href, loc(s)) : h("span", { text: loc(s) })));
    });
    if (srcs.length > 3) {
      var more = h("details", {}, [h("summary", { text: "+" + (srcs.length - 3) + " more" })]);
      srcs.slice(3).forEach(function (s) {
        var href = sourceHref(s);
        more.appendChild(pathNode(href ? a(href, loc(s)) : h("span", { text: loc(s) })));
      });
      where.appendChild(more);
    }
    tr.appendChild(where);
    tr.appendChild(h("td", { "class": "c-checks", "data-label": "History" }, l.tok.length ? [strip(l)] : []));
    var copies = h("td", { "class": "c-copies", "data-label": "Copies" });
    if (l.a) {
      var arch = a(l.a, "archived", "");
      // A copy in the report's folder is hostile web content on the
      // report's own origin (GitHub Pages). linkvault writes pages inside a
      // sandbox, PDFs, images and text as they are, and anything else as a
      // .bin file, which the link downloads rather than opens.
      if (/\.bin$/i.test(l.a)) {
        arch.setAttribute("download", l.a.slice(l.a.lastIndexOf("/") + 1));
        arch.setAttribute("title", "download the archived copy");
      }
      copies.appendChild(arch);
    } else if (l.z) copies.appendChild(h("span", { "class": "reason", text: l.z + " in WARC" }));
    if (l.w) {
      var wb = a(l.w, l.wf ? "search Wayback" : "Wayback", "");
      if (l.wf) wb.setAttribute("title", "no snapshot known: search the Wayback Machine");
      copies.appendChild(wb);
    }
    if (l.m) copies.appendChild(h("span", { "class": "to" }, ["→ ", a(l.m, l.m, "")]));
    tr.appendChild(copies);
    return tr;
  }

  function render() {
    var body = $("rows");
    var frag = document.createDocumentFragment();
    view.slice(0, state.shown).forEach(function (l) { frag.appendChild(row(l)); });
    body.textContent = "";
    body.appendChild(frag);
    var shown = Math.min(state.shown, view.length);
    $("count").textContent = view.length === links.length
      ? "Showing " + fmtNum(shown) + " of " + fmtNum(links.length) + " links"
      : "Showing " + fmtNum(shown) + " of " + fmtNum(view.length) + " matching links (" + fmtNum(links.length) + " in all)";
    $("empty").hidden = view.length > 0;
    var more = $("more");
    more.hidden = view.length <= state.shown;
    more.textContent = "Show " + fmtNum(Math.min(PAGE * 2, view.length - state.shown)) + " more";
    document.querySelectorAll("#links-table th[data-key]").forEach(function (th) {
      if (th.getAttribute("data-key") === state.sort) th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    document.querySelectorAll("[data-filter-state]").forEach(function (b) {
      b.setAttribute("aria-pressed", state.states[b.getAttribute("data-filter-state")] ? "true" : "false");
    });
    if ($("changed")) $("changed").setAttribute("aria-pressed", state.changed ? "true" : "false");
    $("q").value !== state.q && ($("q").value = state.q);
    $("host").value = state.host;
    $("file").value = state.file;
  }

  // The filters live in the URL fragment, so that a view can be shared.
  function sync() {
    var p = [];
    var sts = ORDER.filter(function (s) { return state.states[s]; });
    if (sts.length) p.push("state=" + sts.join(","));
    if (state.changed) p.push("changed");
    if (state.recovered) p.push("recovered");
    if (state.q) p.push("q=" + encodeURIComponent(state.q));
    if (state.host !== "") p.push("host=" + encodeURIComponent(hosts[+state.host]));
    if (state.file !== "") p.push("file=" + encodeURIComponent(files[+state.file]));
    if (state.sort !== "state" || state.dir !== 1) p.push("sort=" + state.sort + (state.dir < 0 ? "-" : ""));
    var hash = p.length ? "#" + p.join("&") : "";
    if (location.hash !== hash && (location.hash || hash)) {
      try { history.replaceState(null, "", hash || location.pathname + location.search); } catch (e) { /* file:// in some browsers */ }
    }
  }
  function fromHash() {
    var hash = location.hash.replace(/^#/, "");
    if (hash === "links" || hash === "") return false;
    state.states = {}; state.changed = false; state.recovered = false; state.q = ""; state.host = ""; state.file = "";
    state.sort = "state"; state.dir = 1; state.shown = PAGE;
    hash.split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k = i < 0 ? kv : kv.slice(0, i), v = "";
      try { v = i < 0 ? "" : decodeURIComponent(kv.slice(i + 1)); } catch (e) { v = ""; }
      if (k === "state") v.split(",").forEach(function (s) { if (ORDER.indexOf(s) >= 0) state.states[s] = true; });
      else if (k === "changed") state.changed = true;
      else if (k === "recovered") state.recovered = true;
      else if (k === "q") state.q = v;
      else if (k === "host") { var hi = hosts.indexOf(v); state.host = hi >= 0 ? String(hi) : ""; }
      else if (k === "file") { var fi = files.indexOf(v); state.file = fi >= 0 ? String(fi) : ""; }
      else if (k === "sort") { var key = v.replace(/-$/, ""); if (cmp[key]) { state.sort = key; state.dir = /-$/.test(v) ? -1 : 1; } }
    });
    return true;
  }

  function fillSelect(sel, names, counts) {
    var idx = names.map(function (_, i) { return i; }).filter(function (i) { return counts[i]; });
    idx.sort(function (x, y) { return counts[y] - counts[x] || (names[x] < names[y] ? -1 : 1); });
    var frag = document.createDocumentFragment();
    idx.forEach(function (i) { frag.appendChild(h("option", { value: String(i), text: names[i] + " (" + counts[i] + ")" })); });
    sel.appendChild(frag);
  }
  var hostCount = hosts.map(function () { return 0; }), fileCount = files.map(function () { return 0; });
  links.forEach(function (l) {
    if (l.o >= 0) hostCount[l.o]++;
    Object.keys(l.fileSet).forEach(function (f) { fileCount[f]++; });
  });
  fillSelect($("host"), hosts, hostCount);
  fillSelect($("file"), files, fileCount);

  var timer = 0;
  $("q").addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = $("q").value; state.shown = PAGE; apply(); }, 90);
  });
  $("q").addEventListener("keydown", function (e) {
    if (e.key === "Escape") { $("q").value = ""; state.q = ""; apply(); $("q").blur(); }
  });
  $("host").addEventListener("change", function () { state.host = this.value; state.shown = PAGE; apply(); });
  $("file").addEventListener("change", function () { state.file = this.value; state.shown = PAGE; apply(); });
  document.querySelectorAll("[data-filter-state]").forEach(function (b) {
    b.addEventListener("click", function () {
      var s = b.getAttribute("data-filter-state");
      state.states[s] = !state.states[s];
      state.shown = PAGE;
      apply();
    });
  });
  if ($("changed")) $("changed").addEventListener("click", function () { state.changed = !state.changed; state.recovered = false; state.shown = PAGE; apply(); });
  $("reset").addEventListener("click", function () {
    state.states = {}; state.changed = false; state.recovered = false; state.q = ""; state.host = ""; state.file = "";
    state.sort = "state"; state.dir = 1; state.shown = PAGE;
    apply();
  });
  $("more").addEventListener("click", function () { state.shown += PAGE * 2; render(); });
  document.querySelectorAll("#links-table th[data-key] button").forEach(function (b) {
    b.addEventListener("click", function () {
      var key = b.parentNode.getAttribute("data-key");
      if (state.sort === key) state.dir = -state.dir;
      else { state.sort = key; state.dir = key === "since" || key === "checks" ? -1 : 1; }
      apply();
    });
  });
  document.querySelectorAll("[data-host]").forEach(function (b) {
    b.addEventListener("click", function () {
      var i = hosts.indexOf(b.getAttribute("data-host"));
      if (i < 0) return;
      state.host = String(i); state.shown = PAGE;
      apply();
      $("links").scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target, tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    e.preventDefault();
    $("q").focus();
    $("q").select();
  });
  window.addEventListener("hashchange", function () {
    if (fromHash()) { apply(); $("links").scrollIntoView({ block: "start" }); }
  });

  // Sortable server-rendered tables (hosts): cells carry data-v.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var ths = table.querySelectorAll("th");
    ths.forEach(function (th, col) {
      var b = th.querySelector("button");
      if (!b) return;
      b.addEventListener("click", function () {
        var num = th.getAttribute("data-type") === "num";
        var dir = th.getAttribute("aria-sort") === "descending" ? 1 : th.getAttribute("aria-sort") === "ascending" ? -1 : (num ? -1 : 1);
        ths.forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (x, y) {
          var p = x.cells[col].getAttribute("data-v"), q = y.cells[col].getAttribute("data-v");
          var r = num ? (+p) - (+q) : (p < q ? -1 : p > q ? 1 : 0);
          return dir * r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });

  fromHash();
  apply();
})();
