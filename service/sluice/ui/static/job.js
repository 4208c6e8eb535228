// Follows a job live. The event stream (EventSource, which resumes by itself after a drop with
// Last-Event-ID, so no event is missed or shown twice) feeds the event log, the status badge and the
// streamed text of model nodes; after each event the server re-renders the graph, node details and
// timeline (/ui/jobs/{id}/live), one request at a time. Without JavaScript the page refreshes instead.
(function () {
  const list = document.getElementById("events");
  if (!list) return;
  let selected = new URLSearchParams(window.location.search).get("node") || "";

  function live() { return document.getElementById("live"); }

  function select(nodeId, focus) {
    selected = nodeId;
    const root = live();
    for (const panel of root.querySelectorAll(".node-details")) panel.hidden = panel.dataset.node !== nodeId;
    for (const link of root.querySelectorAll("a.node-link")) {
      if (link.dataset.node === nodeId) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
      link.querySelector("g.node").classList.toggle("selected", link.dataset.node === nodeId);
    }
    const url = new URL(window.location.href);
    if (nodeId) url.searchParams.set("node", nodeId); else url.searchParams.delete("node");
    url.hash = "";
    history.replaceState(null, "", url);
    if (focus) {
      const panel = document.getElementById("node-" + nodeId);
      if (panel) panel.scrollIntoView({block: "nearest"});
    }
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("a.node-link");
    if (!link) return;
    event.preventDefault();
    select(link.dataset.node === selected ? "" : link.dataset.node, true);
  });

  let fetching = false;
  let again = false;
  async function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    try {
      const root = live();
      const response = await fetch(root.dataset.src + (selected ? "?node=" + encodeURIComponent(selected) : ""));
      if (response.ok) {
        const focused = document.activeElement && document.activeElement.dataset
          ? document.activeElement.dataset.node : null;
        const holder = document.createElement("div");
        holder.innerHTML = await response.text();
        const fresh = holder.querySelector("#live");
        if (fresh) {
          root.replaceWith(fresh);
          select(selected, false);
          if (focused) {
            const link = fresh.querySelector('a.node-link[data-node="' + CSS.escape(focused) + '"]');
            if (link) link.focus();
          }
        }
      }
    } finally {
      fetching = false;
      if (again) { again = false; refresh(); }
    }
  }

  function describe(type, data) {
    if (type === "status") return "status → " + data.status;
    if (type === "component_start") return "start " + data.component_id;
    if (type === "component_end") return "end " + data.component_id;
    if (type === "token") return "token " + JSON.stringify(data.chunk);
    if (type === "end") return "end of job: " + data.status;
    return type;
  }

  const source = new EventSource(list.dataset.src);
  function show(message) {
    const data = JSON.parse(message.data);
    const item = document.createElement("li");
    item.dataset.seq = message.lastEventId;
    item.dataset.type = message.type;
    item.textContent = "#" + message.lastEventId + " " + describe(message.type, data);
    list.appendChild(item);
    if (message.type === "status") {
      const badge = document.getElementById("status");
      badge.textContent = data.status;
      badge.className = "badge status-" + data.status;
    }
    if (message.type === "token") {
      const stream = live().querySelector('pre[data-stream="' + CSS.escape(data.component_id) + '"]');
      if (stream && Number(message.lastEventId) > Number(live().dataset.seq)) {
        stream.hidden = false;
        stream.textContent += data.chunk;
      }
    }
    if (message.type === "end") {
      source.close();
      // Rendered while the job ran: reload once to show its outputs.
      if (list.dataset.live === "yes") { window.location.reload(); return; }
    }
    if (Number(message.lastEventId) > Number(live().dataset.seq)) refresh();
  }
  for (const type of ["status", "component_start", "component_end", "token", "error", "end"]) {
    source.addEventListener(type, show);
  }
})();
