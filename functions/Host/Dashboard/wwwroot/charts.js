// Hand-drawn charts for the dashboard (no library, no build): an SVG line chart and HTML bars.
// The report's line chart (functions/Activities/Reports/SvgLineChart.cs) draws the same one on the server.
"use strict";

window.Charts = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  const W = 720, H = 250, L = 56, R = 16, T = 26, B = 36;

  function svg(tag, attributes, text) {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
    if (text !== undefined) element.textContent = text;
    return element;
  }

  // 1, 2 or 5 times a power of ten, at least value.
  function niceCeiling(value) {
    if (!(value > 0) || !isFinite(value)) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 5, 10]) if (step * power >= value * 0.9999) return step * power;
    return 10 * power;
  }

  function format(value) {
    return value >= 100 || Number.isInteger(value) ? value.toFixed(0) : String(Math.round(value * 100) / 100);
  }

  // The images/s chart as steps: the rate between two consecutive samples, held from the first to the second.
  function rates(samples) {
    const out = [];
    for (let i = 1; i < samples.length; i++) {
      const dt = samples[i].seconds - samples[i - 1].seconds;
      if (dt <= 0) continue;
      const y = Math.max(0, samples[i].done - samples[i - 1].done) / dt;
      out.push({ x: samples[i - 1].seconds, y }, { x: samples[i].seconds, y });
    }
    return out;
  }

  // points: [{x, y}] with x ascending. Fewer than two: a note instead of a chart.
  function line(points, { title, xUnit, yUnit }) {
    if (points.length < 2) {
      const note = document.createElement("p");
      note.className = "empty";
      note.textContent = points.length === 1 ? `${format(points[0].y)} ${yUnit} so far; the chart draws once there are two samples.` : "No progress samples yet.";
      return note;
    }
    const xMax = niceCeiling(Math.max(...points.map(p => p.x)));
    const yMax = niceCeiling(Math.max(...points.map(p => p.y)));
    const X = x => L + x / xMax * (W - L - R);
    const Y = y => H - B - y / yMax * (H - T - B);
    const chart = svg("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title });
    for (let i = 0; i <= 4; i++) {
      const tick = yMax * i / 4;
      chart.append(svg("line", { class: "grid", x1: L, x2: W - R, y1: Y(tick).toFixed(1), y2: Y(tick).toFixed(1) }));
      chart.append(svg("text", { class: "tick", x: L - 6, y: (Y(tick) + 4).toFixed(1), "text-anchor": "end" }, format(tick)));
      const xt = xMax * i / 4;
      chart.append(svg("text", { class: "tick", x: X(xt).toFixed(1), y: H - B + 16, "text-anchor": "middle" }, format(xt)));
    }
    chart.append(svg("text", { class: "axis", x: W - R, y: H - 4, "text-anchor": "end" }, xUnit));
    chart.append(svg("text", { class: "axis", x: L, y: 12, "text-anchor": "middle" }, yUnit));
    const coordinates = points.map(p => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(" ");
    chart.append(svg("polygon", { class: "area", points: `${X(points[0].x).toFixed(1)},${Y(0).toFixed(1)} ${coordinates} ${X(points[points.length - 1].x).toFixed(1)},${Y(0).toFixed(1)}` }));
    chart.append(svg("polyline", { class: "line", points: coordinates }));
    const last = points[points.length - 1];
    chart.append(svg("circle", { class: "dot", cx: X(last.x).toFixed(1), cy: Y(last.y).toFixed(1), r: 3.5 }));
    return chart;
  }

  // entries: [[name, count]] in the order to show; tone "bad" draws them red.
  function bars(entries, { none, tone } = {}) {
    if (entries.length === 0) {
      const note = document.createElement("p");
      note.className = "empty";
      note.textContent = none || "Nothing yet.";
      return note;
    }
    const max = Math.max(1, ...entries.map(e => e[1]));
    const list = document.createElement("ul");
    list.className = tone === "bad" ? "bars bad" : "bars";
    for (const [name, count] of entries) {
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.className = "name";
      label.textContent = name;
      label.title = name;
      const bar = document.createElement("span");
      bar.className = "bar";
      const fill = document.createElement("span");
      fill.style.width = `${(100 * count / max).toFixed(1)}%`;
      bar.append(fill);
      const value = document.createElement("span");
      value.className = "count";
      value.textContent = count.toLocaleString("en-US");
      item.append(label, bar, value);
      list.append(item);
    }
    return list;
  }

  return { line, bars, rates, niceCeiling };
})();
