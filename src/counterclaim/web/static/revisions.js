// The revisions chart: every estimate the ledger kept for a series, when it was computed, read from
// the page's JSON twin (data-src) and drawn with the vendored Vega-Lite. Estimates of the same day
// share a colour and a line, so the chart shows how the estimate for that day moved over time.
"use strict";
(function () {
  const el = document.getElementById("revisions-chart");
  if (!el || !el.dataset.src) return;
  fetch(el.dataset.src, { headers: { Accept: "application/json" } })
    .then((response) => { if (!response.ok) throw new Error(response.status + " " + response.statusText); return response.json(); })
    .then((body) => {
      const rows = body.revisions.map((r) => Object.assign({}, r, {
        low: Math.max(r.low, 0.5), best: Math.max(r.best, 0.5), high: Math.max(r.high, 0.5),
        arrived: r.claims_added.length, day: r.as_of + (r.kind === "latest" ? "" : " (asked)"),
      }));
      if (!rows.length) return;
      const y = { type: "log", nice: false };
      const x = { field: "computed_at", type: "temporal", title: "computed" };
      const colour = { field: "day", type: "nominal", title: "estimate for", legend: rows.length > 40 ? null : {} };
      const spec = {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        width: "container", height: 260, autosize: { type: "fit-x", contains: "padding" },
        data: { values: rows },
        layer: [
          { mark: { type: "rule", opacity: 0.5 }, encoding: { x: x, y: { field: "low", type: "quantitative", scale: y, title: body.series.split("/")[1] + " (log scale)" }, y2: { field: "high" }, color: colour } },
          { mark: { type: "line", strokeWidth: 1 }, encoding: { x: x, y: { field: "best", type: "quantitative", scale: y }, color: colour } },
          { mark: { type: "point", filled: true, size: 60 },
            encoding: {
              x: x, y: { field: "best", type: "quantitative", scale: y }, color: colour,
              tooltip: [
                { field: "id", title: "revision" }, { field: "computed_at", type: "temporal", title: "computed", format: "%Y-%m-%d %H:%M" },
                { field: "day", title: "estimate for" }, { field: "best", format: "," }, { field: "low", format: "," }, { field: "high", format: "," },
                { field: "n_claims", title: "claims" }, { field: "arrived", title: "claims arrived" }, { field: "model" },
              ],
            } },
        ],
      };
      return vegaEmbed(el, spec, { renderer: "svg", actions: false }).then((result) => {
        el.dataset.rendered = "true";
        result.view.addEventListener("click", (_event, item) => {
          const id = item && item.datum && item.datum.id;
          if (Number.isInteger(id)) window.location.hash = "revision-" + id;
        });
      });
    })
    .catch((error) => { el.textContent = "The chart could not be drawn: " + error.message; el.dataset.rendered = "error"; });
})();
