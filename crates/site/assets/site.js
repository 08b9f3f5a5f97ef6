// romwatch: search, table filters and "since my version". Pages work
// without this script; it reveals the controls that need it and makes
// them work. Text from the data is always inserted as text, never HTML.
(function () {
  "use strict";
  var base = document.documentElement.getAttribute("data-base") || "";

  function norm(s) { return String(s).toLowerCase(); }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    for (var k in attrs || {}) { node.setAttribute(k, attrs[k]); }
    return node;
  }

  function link(text, href) { return el("a", text, { href: base + href }); }

  function getJson(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }

  // ---- The search rules of romwatch_model::search, line by line. ----

  // The lowercase runs of letters and digits of a text.
  function words(text) { return norm(text).match(/[\p{L}\p{N}]+/gu) || []; }

  var MAX_TERMS = 8, MIN_WORD = 2;

  // A query: up to MAX_TERMS terms, each the words of one piece; null when
  // no word has MIN_WORD characters.
  function parseQuery(text) {
    var terms = String(text).trim().split(/\s+/).map(words)
      .filter(function (t) { return t.length > 0; }).slice(0, MAX_TERMS);
    var flat = [].concat.apply([], terms);
    var ok = flat.some(function (w) { return Array.from(w).length >= MIN_WORD; });
    return ok ? { terms: terms, flat: flat } : null;
  }

  // A term's words in a row in a text, the last as a prefix.
  function termMatches(term, text) {
    var last = term.length - 1;
    for (var i = 0; i + term.length <= text.length; i++) {
      var k = 0;
      while (k < last && text[i + k] === term[k]) { k++; }
      if (k === last && text[i + last].indexOf(term[last]) === 0) { return true; }
    }
    return false;
  }

  // Every term matches one of the texts (each given as its words).
  function matches(query, texts) {
    return query.terms.every(function (term) {
      return texts.some(function (text) { return termMatches(term, text); });
    });
  }

  // The query is the text, word for word.
  function isExact(query, text) {
    return query.flat.length === text.length &&
      query.flat.every(function (w, i) { return w === text[i]; });
  }

  // ---- The search page. ----

  var ROM_LIMIT = 50;   // ROMs shown for a query
  var MAX_CHUNKS = 8;   // ROM files a query may fetch (the byte budget)
  var DEVICE_LIMIT = 20;

  function hex(text) {
    var bytes = new TextEncoder().encode(Array.from(text).slice(0, 2).join(""));
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function setupSearchPage(page) {
    var form = document.querySelector("form.search-page");
    var input = form.querySelector("input");
    var status = document.getElementById("search-status");
    var devicesBox = document.getElementById("search-devices");
    var romsBox = document.getElementById("search-roms");
    var more = document.getElementById("search-more");
    var indexUrl = page.getAttribute("data-index");
    var dir = indexUrl.slice(0, indexUrl.lastIndexOf("/") + 1);
    var index = null, files = {}, current = 0;

    function file(name) {
      if (!files[name]) { files[name] = getJson(dir + name); }
      return files[name];
    }

    function findDevices(query) {
      var exact = [], other = [];
      index.devices.forEach(function (d) {
        var variants = d[5];
        var hit = variants.some(function (v) { return matches(query, [words(v[0]), words(v[1])]); });
        if (!hit) { return; }
        var isHit = isExact(query, words(d[1])) || isExact(query, words(d[0])) ||
          variants.some(function (v) { return isExact(query, words(v[0])) || isExact(query, words(v[1])); });
        (isHit ? exact : other).push({ d: d, exact: isHit });
      });
      return exact.concat(other);
    }

    // The ROMs of the query, newest first: the candidates of its longest
    // word's shard, checked against the whole query chunk by chunk.
    function findRoms(query) {
      var longest = query.flat.reduce(function (a, w) {
        return Array.from(w).length > Array.from(a).length ? w : a;
      }, "");
      var shard = hex(longest);
      if (index.shards.indexOf(shard) === -1) { return Promise.resolve({ roms: [], cut: false }); }
      return file("words-" + shard + ".json").then(function (byWord) {
        var seen = {}, ranks = [];
        Object.keys(byWord).forEach(function (w) {
          if (w.indexOf(longest) !== 0) { return; }
          var r = 0;
          byWord[w].forEach(function (delta) {
            r += delta;
            if (!seen[r]) { seen[r] = true; ranks.push(r); }
          });
        });
        // The highest rank is the newest ROM.
        ranks.sort(function (a, b) { return b - a; });
        var found = [], at = 0, fetched = 0;
        function step() {
          if (found.length >= ROM_LIMIT || at >= ranks.length) {
            return { roms: found, cut: false };
          }
          if (fetched >= MAX_CHUNKS) { return { roms: found, cut: true }; }
          var n = Math.floor(ranks[at] / index.chunk);
          fetched++;
          return file("roms-" + n + ".json").then(function (chunk) {
            while (at < ranks.length && Math.floor(ranks[at] / index.chunk) === n && found.length < ROM_LIMIT) {
              var rom = chunk[ranks[at] % index.chunk];
              var variant = index.devices[rom[0]][5][rom[1]];
              if (matches(query, [words(rom[3]), words(variant[0]), words(variant[1])])) { found.push(rom); }
              at++;
            }
            return step();
          });
        }
        return step();
      });
    }

    function showDevices(found) {
      var list = devicesBox.querySelector("ol");
      list.textContent = "";
      found.slice(0, DEVICE_LIMIT).forEach(function (hit) {
        var d = hit.d;
        var li = el("li");
        li.appendChild(link(d[0] + " (" + d[1] + ")", d[3]));
        li.appendChild(el("span", " " + d[2] + (d[4] ? " · latest " + d[4] : ""), { "class": "meta" }));
        if (hit.exact) {
          var variants = el("ul", null, { "class": "variants" });
          d[5].forEach(function (v) {
            var item = el("li");
            item.appendChild(link(v[1], d[3] + "?variant=" + encodeURIComponent(v[0]) + "#since"));
            item.appendChild(el("span", " " + v[0], { "class": "meta" }));
            variants.appendChild(item);
          });
          li.appendChild(variants);
        }
        list.appendChild(li);
      });
      devicesBox.hidden = found.length === 0;
    }

    function showRoms(result) {
      var list = romsBox.querySelector("ol");
      list.textContent = "";
      result.roms.forEach(function (rom) {
        var d = index.devices[rom[0]], v = d[5][rom[1]], branch = index.branches[rom[5]];
        var type = rom[6] + (rom[7] ? " (Incremental from " + rom[7] + ")" : "");
        var li = el("li");
        li.appendChild(link(v[1] + " " + rom[2], d[3] + branch[1] + "/" + rom[2] + "/"));
        var facts = [v[2], branch[0], type, rom[4] || "date unknown"].filter(Boolean);
        li.appendChild(el("span", " " + facts.join(" · "), { "class": "meta" }));
        li.appendChild(el("code", rom[3], { "class": "filename" }));
        list.appendChild(li);
      });
      romsBox.hidden = result.roms.length === 0;
      more.hidden = !result.cut;
      more.textContent = result.cut ? "These are the newest matches found in the part of the index read; type more of a version or package name to narrow the search." : "";
    }

    function run(text) {
      var mine = ++current;
      var query = parseQuery(text);
      if (!query) {
        devicesBox.hidden = romsBox.hidden = true;
        status.textContent = text.trim() ? "Type a word of two characters or more." : "";
        return;
      }
      status.textContent = "Searching…";
      var loaded = index ? Promise.resolve(index) : getJson(indexUrl).then(function (i) { index = i; return i; });
      loaded.then(function () {
        var devices = findDevices(query);
        return findRoms(query).then(function (result) {
          if (mine !== current) { return; }
          showDevices(devices);
          showRoms(result);
          var n = Math.min(devices.length, DEVICE_LIMIT);
          status.textContent = n + " device" + (n === 1 ? "" : "s") + " and " + result.roms.length +
            " ROM" + (result.roms.length === 1 ? "" : "s") + " for “" + text.trim() + "”.";
        });
      }).catch(function () {
        if (mine === current) { status.textContent = "The search index could not be loaded."; }
      });
    }

    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = new URL(window.location.href);
        url.searchParams.set("q", input.value);
        history.replaceState(null, "", url);
        run(input.value);
      }, 150);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearTimeout(timer);
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      history.replaceState(null, "", url);
      run(input.value);
    });
    var q = new URLSearchParams(window.location.search).get("q") || "";
    input.value = q;
    if (q) { run(q); }
  }

  // ---- Table filters. ----

  // Filter the rows of a table by typing (OS indexes).
  function setupFilter(box) {
    var input = box.querySelector("input");
    var table = document.getElementById(input.getAttribute("aria-controls"));
    if (!table) { return; }
    var rows = table.querySelectorAll("tbody tr[data-q]");
    box.hidden = false;
    input.addEventListener("input", function () {
      var q = norm(input.value.trim());
      for (var i = 0; i < rows.length; i++) {
        rows[i].hidden = q !== "" && rows[i].getAttribute("data-q").indexOf(q) === -1;
      }
    });
  }

  // Narrow release tables by region, branch and type (device pages and
  // archives): one select per column, filled with the values the rows have.
  var FACETS = [["region", "Region"], ["branch", "Branch"], ["type", "Type"]];
  function setupFacets(box) {
    var tables = document.querySelectorAll("table[data-facets]");
    var rows = [];
    for (var t = 0; t < tables.length; t++) {
      rows = rows.concat(Array.prototype.slice.call(tables[t].querySelectorAll("tbody tr")));
    }
    var selects = {};
    FACETS.forEach(function (f) {
      var values = [];
      rows.forEach(function (r) {
        var v = r.getAttribute("data-" + f[0]);
        if (v && values.indexOf(v) === -1) { values.push(v); }
      });
      values.sort();
      var id = "facet-" + f[0];
      var wrap = el("div", null, { "class": "facet" });
      wrap.appendChild(el("label", f[1], { "for": id }));
      var select = el("select", null, { id: id });
      select.appendChild(el("option", "All", { value: "" }));
      values.forEach(function (v) { select.appendChild(el("option", v, { value: v })); });
      select.addEventListener("change", apply);
      wrap.appendChild(select);
      box.appendChild(wrap);
      selects[f[0]] = select;
    });
    function apply() {
      rows.forEach(function (r) {
        r.hidden = FACETS.some(function (f) {
          var want = selects[f[0]].value;
          return want !== "" && r.getAttribute("data-" + f[0]) !== want;
        });
      });
    }
    box.hidden = false;
    return { select: selects, apply: apply };
  }

  // ---- Since my version (device pages). ----

  // Stable and Stable Beta builds are one line; other branches their own.
  function line(branch) { return branch === "Stable Beta" ? "Stable" : branch; }

  function setupSince(box, facets) {
    var variantSelect = box.querySelector("#since-variant");
    var versionSelect = box.querySelector("#since-version");
    var out = box.querySelector("#since-result");
    var data = null;

    function variant() {
      return data.variants.filter(function (v) { return v.codename === variantSelect.value; })[0];
    }

    // With `narrow`, the tables show the chosen variant's region only.
    function fillVersions(narrow) {
      var v = variant();
      versionSelect.textContent = "";
      versionSelect.appendChild(el("option", "Choose your version", { value: "" }));
      v.builds.forEach(function (b, i) {
        versionSelect.appendChild(el("option", b.version + " (" + b.branch + (b.date ? ", " + b.date : "") + ")", { value: String(i) }));
      });
      out.textContent = "";
      if (narrow === true && facets && v.region) {
        facets.select.region.value = v.region;
        facets.apply();
      }
    }

    function download(file, label) {
      var p = el("p", null, { "class": "since-download" });
      if (file.url) {
        var a = el("a", label, { href: file.url, rel: "nofollow noopener", "class": "button" });
        p.appendChild(a);
      } else {
        p.appendChild(el("strong", label));
      }
      p.appendChild(el("span", " " + file.filename + (file.size ? " (" + file.size + ")" : ""), { "class": "meta" }));
      return p;
    }

    function show() {
      out.textContent = "";
      if (versionSelect.value === "") { return; }
      var v = variant(), mine = v.builds[Number(versionSelect.value)];
      var newer = v.builds.slice(0, Number(versionSelect.value)).filter(function (b) {
        return line(b.branch) === line(mine.branch);
      });
      if (newer.length === 0) {
        out.appendChild(el("p", mine.version + " is the newest " + line(mine.branch) + " build of " + v.name + ".", { "class": "since-summary" }));
        return;
      }
      var newest = newer[0];
      out.appendChild(el("p", newer.length + " newer " + line(mine.branch) + " build" + (newer.length === 1 ? "" : "s") +
        " of " + v.name + " since " + mine.version + "; the newest is " + newest.version + ".", { "class": "since-summary" }));
      var inc = newest.incrementals.filter(function (i) { return i.from === mine.version; })[0];
      if (inc) {
        out.appendChild(download(inc, "Incremental package " + mine.version + " → " + newest.version));
      } else if (newest.full) {
        out.appendChild(el("p", "No incremental package from " + mine.version + " is known: install the full ROM."));
        out.appendChild(download(newest.full, "Full ROM " + newest.version + " (" + newest.full.method + ")"));
      }
      var list = el("ol", null, { "class": "since-builds" });
      newer.forEach(function (b) {
        var li = el("li");
        var h = el("h3");
        h.appendChild(link(b.version, b.page));
        li.appendChild(h);
        var facts = [b.branch, b.date ? "released " + b.date : "", b.android ? "Android " + b.android : "",
          b.security_patch ? "security patch " + b.security_patch : ""].filter(Boolean);
        li.appendChild(el("p", facts.join(" · "), { "class": "meta" }));
        if (b.changelog.length) {
          var p = el("p", null, { "class": "changelog" });
          b.changelog.forEach(function (lineText, i) {
            if (i) { p.appendChild(el("br")); }
            p.appendChild(document.createTextNode(lineText));
          });
          li.appendChild(p);
        } else {
          li.appendChild(el("p", "No changelog published.", { "class": "meta" }));
        }
        list.appendChild(li);
      });
      out.appendChild(list);
    }

    getJson(box.getAttribute("data-since")).then(function (d) {
      data = d;
      data.variants.forEach(function (v) {
        variantSelect.appendChild(el("option", v.name + " (" + v.codename + ")", { value: v.codename }));
      });
      var wanted = new URLSearchParams(window.location.search).get("variant");
      if (wanted && data.variants.some(function (v) { return v.codename === wanted; })) {
        variantSelect.value = wanted;
      }
      variantSelect.addEventListener("change", function () { fillVersions(true); });
      versionSelect.addEventListener("change", show);
      fillVersions(Boolean(wanted));
      box.hidden = false;
    }).catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-filter]");
    for (var i = 0; i < boxes.length; i++) { setupFilter(boxes[i]); }
    var facetBox = document.querySelector("[data-facets-box]");
    var facets = facetBox ? setupFacets(facetBox) : null;
    if (!window.fetch) { return; }
    var header = document.querySelector("[data-search]");
    if (header) { header.hidden = false; }
    var page = document.querySelector("[data-search-page]");
    if (page) { setupSearchPage(page); }
    var since = document.querySelector("[data-since]");
    if (since) { setupSince(since, facets); }
  });
})();
