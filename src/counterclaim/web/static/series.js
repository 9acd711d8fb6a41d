// The series chart: reads the page's JSON twin (data-src), draws it with the vendored Vega-Lite.
// Data go in as values, never as code or markup; vega-embed's tooltips escape what they show.
"use strict";
(function () {
  const el = document.getElementById("chart");
  if (!el || !el.dataset.src) return;
  const COLOURS = { own: "#1f77b4", adversary: "#d62728", monitor: "#2ca02c", independent: "#9467bd", unknown: "#7f7f7f" };
  fetch(el.dataset.src, { headers: { Accept: "application/json" } })
    .then((response) => { if (!response.ok) throw new Error(response.status + " " + response.statusText); return response.json(); })
    .then((series) => {
      const points = series.points.filter((p) => p.value !== null && p.as_of !== null)
        .map((p) => Object.assign({}, p, { value: Math.max(p.value, 0.5) }));
      if (!points.length && !series.band.length) return;
      const band = series.band.map((b) => Object.assign({}, b, { low: Math.max(b.low, 0.5), best: Math.max(b.best, 0.5) }));
      const relations = Object.keys(COLOURS);
      const y = { type: "log", nice: false };
      const spec = {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        width: "container", height: 360, autosize: { type: "fit-x", contains: "padding" },
        layer: [
          { data: { values: band }, mark: { type: "area", opacity: 0.35, color: "#9aa4ae" },
            encoding: { x: { field: "as_of", type: "temporal", title: null }, y: { field: "low", type: "quantitative", scale: y, title: series.measure + " (log scale)" }, y2: { field: "high" },
              tooltip: [{ field: "as_of", type: "temporal", title: "day" }, { field: "low", format: "," }, { field: "best", format: "," }, { field: "high", format: "," }] } },
          { data: { values: band }, mark: { type: "line", color: "#222", strokeWidth: 1.5 },
            encoding: { x: { field: "as_of", type: "temporal" }, y: { field: "best", type: "quantitative", scale: y } } },
          { data: { values: points }, mark: { type: "point", filled: true, size: points.length > 300 ? 18 : 50, opacity: 0.85, cursor: "pointer" },
            encoding: {
              x: { field: "as_of", type: "temporal" },
              y: { field: "value", type: "quantitative", scale: y },
              color: { field: "relation", type: "nominal", title: "claimant is", scale: { domain: relations, range: relations.map((r) => COLOURS[r]) } },
              shape: { field: "kind", type: "nominal", title: "claim says", scale: { domain: ["point", "lower", "upper", "interval"], range: ["circle", "triangle-up", "triangle-down", "square"] } },
              tooltip: [
                { field: "value", type: "quantitative", format: ",", title: "value" },
                { field: "claimant", type: "nominal" }, { field: "as_of", type: "temporal", title: "as of" },
                { field: "outlet", type: "nominal" }, { field: "relation", type: "nominal" }, { field: "qualifier", type: "nominal" },
              ],
            } },
        ],
      };
      return vegaEmbed(el, spec, { renderer: "svg", actions: false }).then((result) => {
        el.dataset.rendered = "true";
        window.counterclaimView = result.view; // tests and curious analysts read the view from here
        result.view.addEventListener("click", (_event, item) => {
          const id = item && item.datum && item.datum.id;
          if (Number.isInteger(id)) window.location.assign("/claims/" + id + "#report-1");
        });
      });
    })
    .catch((error) => { el.textContent = "The chart could not be drawn: " + error.message; el.dataset.rendered = "error"; });
})();
