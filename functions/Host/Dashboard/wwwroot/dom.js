// The dashboard's small helpers: building elements, formatting numbers, times and durations, and a limit on tasks at once.
"use strict";

window.Dom = (() => {
  // el("div", { className: "x", dataset: { id } }, "text", child...)
  function el(tag, props = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "dataset") Object.assign(element.dataset, value);
      else if (name in element && name !== "list") element[name] = value;
      else element.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  const n = value => (value ?? 0).toLocaleString("en-US");
  const rate = value => value === null || value === undefined ? "–" : (value >= 100 ? value.toFixed(0) : value.toFixed(1));

  function duration(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return "–";
    if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
    const s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h > 0 ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
  }

  function when(iso) {
    if (!iso) return "–";
    const date = new Date(iso);
    const today = new Date().toDateString() === date.toDateString();
    return today ? date.toLocaleTimeString("en-GB") : date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
  }

  // A runner of async tasks, at most `count` at once, the rest in order as they finish.
  function limit(count) {
    const waiting = [];
    let running = 0;
    const pump = () => {
      while (running < count && waiting.length) {
        running++;
        waiting.shift()().finally(() => { running--; pump(); });
      }
    };
    return task => { waiting.push(task); pump(); };
  }

  return { el, n, rate, duration, when, limit };
})();
