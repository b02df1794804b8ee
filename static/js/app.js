/* Charts from data embedded in the page, drawn again after HTMX swaps. */
(function () {
  "use strict";
  var palette = ["#1f5fbf", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4",
                 "#84cc16", "#ec4899", "#64748b", "#f97316", "#14b8a6", "#a855f7"];

  function readData(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  function barChart(canvas, data) {
    var series = JSON.parse(canvas.dataset.series);
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: series.map(function (s, i) {
          return { label: s[1], data: data[s[0]], backgroundColor: palette[i % palette.length] };
        })
      },
      options: {
        indexAxis: data.labels.length > 8 ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { ticks: { autoSkip: false } }, y: { ticks: { autoSkip: false } } },
        plugins: { tooltip: { callbacks: { label: function (c) {
          return c.dataset.label + ": " + c.formattedValue + " %";
        } } } }
      }
    };
  }

  function doughnut(canvas, data) {
    return {
      type: "doughnut",
      data: {
        labels: data.labels,
        datasets: [{ data: data.values, backgroundColor: data.labels.map(function (_, i) {
          return palette[i % palette.length];
        }) }]
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 plugins: { legend: { position: "right" } } }
    };
  }

  function draw(root) {
    if (typeof Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = readData(canvas);
      if (!data) { return; }
      var existing = Chart.getChart(canvas);
      if (existing) { existing.destroy(); }
      var config = canvas.dataset.chart === "doughnut" ? doughnut(canvas, data) : barChart(canvas, data);
      new Chart(canvas, config);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.detail.elt); });
})();

/* "Select all" buttons tick every checkbox of the named group in their form. */
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-select-all]");
  if (!button) { return; }
  button.form.querySelectorAll('input[type=checkbox][name="' + button.dataset.selectAll + '"]')
    .forEach(function (box) { box.checked = true; });
});

/* The draft editor's running total of weights, in percent. */
(function () {
  "use strict";
  function update(table) {
    var total = 0;
    table.querySelectorAll('input[name$="-weight"]').forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) { total += value; }
    });
    var out = document.getElementById(table.dataset.weightTotal);
    out.textContent = total.toFixed(4).replace(/\.?0+$/, "") + " %";
    out.classList.toggle("neg", total > 100);
  }
  document.addEventListener("input", function (event) {
    var table = event.target.closest("table[data-weight-total]");
    if (table) { update(table); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-weight-total]").forEach(update);
  });
})();

/* Forms with data-confirm ask before they submit; with data-confirm-count, the message
   names how many boxes of that group are ticked (and nothing ticked submits as is, for
   the server to say so). */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.dataset || !form.dataset.confirm) { return; }
  var text = form.dataset.confirm;
  if (form.dataset.confirmCount) {
    var ticked = form.querySelectorAll(
      'input[type=checkbox][name="' + form.dataset.confirmCount + '"]:checked').length;
    if (!ticked) { return; }
    text = ticked + " ticked. " + text;
  }
  if (!window.confirm(text)) { event.preventDefault(); }
});

/* A "Print" button prints the page (the print stylesheet leaves out the navigation). */
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
/* Security search: an input whose datalist has data-search-url is offered the security
   master's matches (symbol and name) as one types. A screen's value list follows the
   field it excludes by (sector and asset class from the security master). */
(function () {
  "use strict";
  var timer = null;
  function search(input, list) {
    var query = input.value.trim();
    if (!query) { return; }
    fetch(list.dataset.searchUrl + "?q=" + encodeURIComponent(query), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        list.replaceChildren.apply(list, data.results.map(function (s) {
          var option = document.createElement("option");
          option.value = s.symbol;
          option.label = s.symbol + " — " + s.name;
          return option;
        }));
      });
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    var list = input.list;
    if (!list || !list.dataset.searchUrl) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { search(input, list); }, 150);
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.name !== "screen-field") { return; }
    var value = select.form.querySelector('input[name="screen-value"]');
    if (value) { value.setAttribute("list", "screen-values-" + select.value); }
  });
})();

/* The draft editor's "Add rows": copies the formset's empty row as many times as asked. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-add-rows]");
    if (!button) { return; }
    event.preventDefault();
    var table = document.getElementById(button.dataset.addRows);
    var template = document.getElementById(button.dataset.template);
    var total = document.getElementById(button.dataset.totalForms);
    var count = parseInt(button.dataset.count || "10", 10);
    var body = table.querySelector("tbody");
    for (var i = 0; i < count; i++) {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    }
  });
})();
