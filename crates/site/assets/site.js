// romwatch: search and table filters. Pages work without this script; it
// only reveals the search box and the filter inputs and makes them work.
(function () {
  "use strict";
  var base = document.documentElement.getAttribute("data-base") || "";

  function norm(s) { return String(s).toLowerCase(); }

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

  // Site search over the static index (search.json), loaded on first use.
  function setupSearch(box) {
    var input = box.querySelector("input");
    var list = box.querySelector("ul");
    var index = null;
    var loading = false;
    box.hidden = false;

    // Everything asked for while the index loads runs once it is there:
    // typing right after focusing must not be lost.
    var waiting = [];
    function load(then) {
      if (index) { then(); return; }
      waiting.push(then);
      if (loading) { return; }
      loading = true;
      fetch(base + "/search.json").then(function (r) { return r.json(); }).then(function (data) {
        index = data;
        var ready = waiting;
        waiting = [];
        for (var i = 0; i < ready.length; i++) { ready[i](); }
      }).catch(function () { loading = false; });
    }

    function item(text, url) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = base + url;
      a.textContent = text;  // text, never HTML: names come from upstream
      li.appendChild(a);
      return li;
    }

    function show() {
      var q = norm(input.value.trim());
      list.textContent = "";
      if (q.length < 2 || !index) { return; }
      var found = 0, max = 20, i, e;
      for (i = 0; i < index.devices.length && found < max; i++) {
        e = index.devices[i];
        if (norm(e[0]).indexOf(q) !== -1 || norm(e[1]).indexOf(q) !== -1) {
          list.appendChild(item(e[0] + " (" + e[1] + ") " + e[2], e[3]));
          found++;
        }
      }
      for (i = 0; i < index.updates.length && found < max; i++) {
        e = index.updates[i];
        if (norm(e[0]).indexOf(q) !== -1 || norm(e[2]).indexOf(q) !== -1) {
          list.appendChild(item(e[0], e[1]));
          found++;
        }
      }
      if (found === 0) {
        var li = document.createElement("li");
        li.textContent = "No matches";
        list.appendChild(li);
      }
    }

    input.addEventListener("focus", function () { load(function () {}); });
    input.addEventListener("input", function () { load(show); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-filter]");
    for (var i = 0; i < boxes.length; i++) { setupFilter(boxes[i]); }
    var search = document.querySelector("[data-search]");
    if (search && window.fetch) { setupSearch(search); }
  });
})();
