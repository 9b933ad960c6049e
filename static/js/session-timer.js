// The run-session timer: counts up from when the facilitator presses start, highlights the
// agenda item in progress, and says when the session's time is up. Works without a network.
(function () {
  "use strict";
  const box = document.querySelector(".session-timer");
  if (!box) return;
  const output = document.getElementById("timer");
  const toggle = document.getElementById("timer-toggle");
  const total = parseInt(box.dataset.minutes, 10) || 0;
  const items = Array.from(document.querySelectorAll(".agenda [data-after]"));
  const key = "rp-timer-" + window.location.pathname;
  let startedAt = parseInt(sessionStorage.getItem(key) || "0", 10) || null;
  let handle = null;

  function render() {
    const seconds = startedAt ? Math.floor((Date.now() - startedAt) / 1000) : 0;
    const minutes = Math.floor(seconds / 60);
    output.textContent = minutes + ":" + String(seconds % 60).padStart(2, "0");
    output.classList.toggle("text-danger", total > 0 && minutes >= total);
    items.forEach(function (item) {
      const after = parseInt(item.dataset.after, 10);
      const length = parseInt(item.dataset.minutes, 10);
      const current = startedAt && minutes >= after && minutes < after + length;
      item.classList.toggle("active", Boolean(current));
      if (current) item.setAttribute("aria-current", "step"); else item.removeAttribute("aria-current");
    });
  }

  function start() {
    if (!startedAt) {
      startedAt = Date.now();
      sessionStorage.setItem(key, String(startedAt));
    }
    toggle.textContent = toggle.dataset.resetLabel;
    handle = window.setInterval(render, 1000);
    render();
  }

  toggle.addEventListener("click", function () {
    if (handle) {
      window.clearInterval(handle);
      handle = null;
      startedAt = null;
      sessionStorage.removeItem(key);
      toggle.textContent = toggle.dataset.startLabel;
      render();
    } else {
      start();
    }
  });
  if (startedAt) start(); else render();
})();
