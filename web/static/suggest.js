// Search-as-you-type for the search box: completions from /api/suggest in a <datalist>.
// Optional: without JavaScript the box is a plain search field and the form works as is.
// Loaded from /static (script-src 'self'); no inline code, no other origin.
(function () {
  "use strict";
  var input = document.getElementById("q");
  if (!input || !window.fetch) {
    return;
  }
  var list = document.createElement("datalist");
  list.id = "q-suggestions";
  input.parentNode.appendChild(list);
  input.setAttribute("list", list.id);

  var timer = null;
  var latest = "";

  function show(q, suggestions) {
    if (q !== latest) {
      return; // an older answer arriving late
    }
    list.replaceChildren();
    suggestions.forEach(function (text) {
      var option = document.createElement("option");
      option.value = text;
      list.appendChild(option);
    });
  }

  function ask() {
    var q = input.value;
    latest = q;
    if (!q.trim() || q.length > 200) {
      show(q, []);
      return;
    }
    fetch("/api/suggest?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      })
      .then(function (data) {
        show(q, data.suggestions || []);
      })
      .catch(function () {
        show(q, []);
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
})();
