// The uploader's status panel (pages/bulk_uploader.js): totals, a bar, the files in flight.
//
// Built once; a render only changes text nodes, transforms and `hidden`, none of which makes
// the page's class watcher (Tailwind's MutationObserver) rescan anything, and everything that
// changes sits in boxes of fixed size with CSS containment (pages/style.css), so a changed
// number lays out and repaints its own box, never the page around it. A file name is text.

const NUMBER = new Intl.NumberFormat("en-US");

export function count(n) {
  return NUMBER.format(n);
}

export function plural(n, one, many) {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function human(bytes) {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ["KB", "MB", "GB", "TB"];
  let n = bytes / 1000;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i += 1;
  }
  return `${n.toFixed(1)} ${units[i]}`;
}

function setText(node, value) {
  if (node.data !== value) node.data = value;
}

function setBar(bar, fraction) {
  const value = `scaleX(${Math.min(1, Math.max(0, fraction)).toFixed(3)})`;
  if (bar.sbValue !== value) bar.style.transform = bar.sbValue = value;
}

function show(element, visible) {
  if (element.hidden === visible) element.hidden = !visible;
}

export class UploadView {
  constructor(live, rows, { onRetry, onStop }) {
    live.innerHTML = `
      <div class="sb-up-status" hidden>
        <div class="sb-up-head">
          <span class="sb-up-headline" role="status"> </span>
          <span class="sb-up-bytes"> </span>
          <span class="sb-up-spacer"></span>
          <button type="button" class="sb-up-button sb-up-retry" hidden>Retry now</button>
          <button type="button" class="sb-up-button sb-up-stop" hidden>Stop</button>
        </div>
        <div class="sb-up-total"><div class="sb-up-bar"></div></div>
        <ul class="sb-up-list"></ul>
      </div>`;
    this.status = live.querySelector(".sb-up-status");
    this.headline = live.querySelector(".sb-up-headline").firstChild;
    this.bytes = live.querySelector(".sb-up-bytes").firstChild;
    this.bar = live.querySelector(".sb-up-total .sb-up-bar");
    this.retryButton = live.querySelector(".sb-up-retry");
    this.stopButton = live.querySelector(".sb-up-stop");
    this.retryButton.addEventListener("click", onRetry);
    this.stopButton.addEventListener("click", onStop);
    const list = live.querySelector(".sb-up-list");
    this.slots = []; // one row per file in flight (and the one waiting to be retried)
    for (let i = 0; i < rows; i++) {
      const li = document.createElement("li");
      li.className = "sb-up-row";
      li.hidden = true;
      li.innerHTML =
        '<div class="sb-up-name"> </div><div class="sb-up-progress"><div class="sb-up-bar"></div>' +
        '</div><div class="sb-up-state"> </div>';
      list.appendChild(li);
      this.slots.push({
        li,
        key: null,
        name: li.querySelector(".sb-up-name").firstChild,
        bar: li.querySelector(".sb-up-bar"),
        state: li.querySelector(".sb-up-state").firstChild,
      });
    }
  }

  reading() {
    setText(this.headline, "Reading the folder…");
    show(this.status, true);
  }

  reveal() {
    // The first batch: bring its progress into view (on a phone it is below the fold).
    show(this.status, true);
    requestAnimationFrame(() => this.status.scrollIntoView({ block: "nearest", behavior: "smooth" }));
  }

  // Show the uploader `u` as it is now. True while a countdown is on screen (render again in 1 s).
  render(u) {
    const t = u.totals;
    if (!t.files) return false;
    show(this.status, true);
    let inFlight = 0;
    for (const item of u.active) inFlight += item.sent;
    const waitingS = Math.max(0, Math.ceil((u.holdUntil - Date.now()) / 1000));
    const busy = u.busy();
    const away = busy && u.failures > 0;
    if (away) {
      const when = u.waiting && waitingS > 0 ? `in ${waitingS} s` : "now";
      setText(this.headline, `Connection lost: ${count(t.done)} of ${count(t.files)} done, trying again ${when}`);
    } else if (busy) {
      setText(this.headline, `Uploading: ${count(t.done)} of ${plural(t.files, "file", "files")} done`);
    } else {
      const notSent = t.files - t.done;
      setText(this.headline, `Done: ${plural(t.done, "file", "files")}` + (notSent ? `, ${count(notSent)} not sent` : ""));
    }
    const sent = Math.min(t.bytes, t.doneBytes + inFlight);
    setText(this.bytes, `${human(sent)} of ${human(t.bytes)}`);
    setBar(this.bar, t.bytes ? sent / t.bytes : 1);
    show(this.retryButton, Boolean(u.waiting && u.failures > 0));
    show(this.stopButton, u.queue.length > 0);
    const visible = [...u.active];
    if (u.waiting && !u.active.has(u.waiting)) visible.push(u.waiting);
    const keys = new Set(visible.map((item) => item.key));
    for (const slot of this.slots) if (!keys.has(slot.key)) slot.key = null;
    for (const item of visible) {
      let slot = this.slots.find((s) => s.key === item.key);
      if (!slot) {
        slot = this.slots.find((s) => s.key === null);
        if (!slot) continue;
        slot.key = item.key;
        setText(slot.name, item.name);
      }
      this.renderRow(slot, item, waitingS);
    }
    for (const slot of this.slots) show(slot.li, slot.key !== null);
    return away;
  }

  renderRow(slot, item, waitingS) {
    setBar(slot.bar, item.size ? item.sent / item.size : 1);
    if (slot.li.dataset.state !== item.state) slot.li.dataset.state = item.state;
    if (item.state === "processing") setText(slot.state, "Sent, processing…");
    else if (item.state === "waiting") setText(slot.state, `${item.reason}; trying again in ${waitingS} s`);
    else setText(slot.state, `${human(item.sent)} of ${human(item.size)}`);
  }
}
