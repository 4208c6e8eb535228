// Follows a job's event log live. EventSource resumes by itself after a drop, sending Last-Event-ID,
// so no event is missed or shown twice.
(function () {
  const list = document.getElementById("events");
  if (!list) return;
  const source = new EventSource(list.dataset.src);
  function describe(type, data) {
    if (type === "status") return "status → " + data.status;
    if (type === "component_start") return "start " + data.component_id;
    if (type === "component_end") return "end " + data.component_id;
    if (type === "token") return "token " + JSON.stringify(data.chunk);
    if (type === "end") return "end of job: " + data.status;
    return type;
  }
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
    if (message.type === "end") {
      source.close();
      // Rendered while the job ran: reload once to show its outputs.
      if (list.dataset.live === "yes") window.location.reload();
    }
  }
  for (const type of ["status", "component_start", "component_end", "token", "error", "end"]) {
    source.addEventListener(type, show);
  }
})();
