// HTML bars for the dashboard (no library, no build). The images/s line chart is drawn by the
// server (functions/Jobs/Reports/SvgLineChart.cs, as in report.html) and fetched as SVG.
"use strict";

window.Charts = (() => {
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

  return { bars };
})();
