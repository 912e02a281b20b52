// The upload page's uploader: a queue of File objects sent a few at a time to POST /api/v1/images.
//
// Nothing here re-renders per file: the drop zone is a static template, and the summary and the
// rows of the files in flight are written straight into the DOM (pages/upload_view.js), at most
// five times a second. Each request is labelled (X-Shoebox-Upload-Key/-Name) so the server
// notes its outcome in this browser's result list (api/browser_uploads.py); what never reaches the server (too
// large, skipped, given up) is reported through the `report` event until the server acks it.
// A lost connection holds the queue and retries with backoff instead of failing files.

import { UploadView } from "upload_view";

const CONCURRENCY = 3;
const IMAGE_NAME = /\.(jpe?g|jpe|png|webp|gif|avif|heic|heif)$/i;
const RETRY_STATUSES = new Set([0, 408, 429, 500, 502, 503, 504]);
const MAX_ATTEMPTS = 6; // per file, while other files get through (else the server is away)
const MAX_BACKOFF_MS = 30000;
const REPORT_EVERY_MS = 300;
const REPORT_RESEND_MS = 3000;
const REPORT_MAX = 400;
const REQUEST_TIMEOUT_MS = 10 * 60 * 1000;
// A request that makes no progress this long is given up and retried: a connection that died
// without a word (Wi-Fi gone) would otherwise hold its slot for minutes. The server may take
// a while with a big file once all its bytes are there, hence the longer wait then.
const STALL_MS = 20000;
const PROCESSING_MS = 180000;
const ADD_SLICE_MS = 12; // taking files in: the longest stretch before the page gets its turn
const RENDER_EVERY_MS = 200; // the summary and the rows in flight, at most this often

function baseName(path) {
  return path.split("/").pop() || "file";
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return null;
  }
}

function readFolder(entry, out) {
  // A directory entry's files, recursively; readEntries returns at most ~100 per call.
  return new Promise((resolve) => {
    const reader = entry.createReader();
    const pending = [];
    const next = () =>
      reader.readEntries(
        (batch) => {
          if (!batch.length) {
            Promise.all(pending).then(() => resolve(out));
            return;
          }
          for (const child of batch) {
            if (child.isDirectory) pending.push(readFolder(child, out));
            else if (child.isFile) {
              pending.push(
                new Promise((done) =>
                  child.file(
                    (file) => {
                      out.push({ file, name: child.fullPath.replace(/^\//, ""), inFolder: true });
                      done();
                    },
                    () => done(),
                  ),
                ),
              );
            }
          }
          next();
        },
        () => Promise.all(pending).then(() => resolve(out)),
      );
    next();
  });
}

export default {
  template: `
    <div class="sb-up">
      <div class="sb-up-zone" :class="{ 'sb-up-over': over }">
        <q-icon name="cloud_upload" size="40px" class="sb-up-icon" />
        <div class="sb-up-lead">
          <span class="sb-up-drop-only">Drop photos or a whole folder here</span>
          <span class="sb-up-touch-only">Choose the photos to upload</span>
        </div>
        <div class="sb-up-actions">
          <q-btn unelevated no-caps color="primary" icon="add_photo_alternate" label="Choose files"
                 @click="$refs.files.click()" />
          <q-btn outline no-caps color="primary" icon="folder_open" label="Choose a folder"
                 @click="$refs.folder.click()" />
        </div>
        <div class="sb-up-hint">{{ hint }}</div>
        <input ref="files" type="file" multiple :accept="accept" hidden tabindex="-1"
               @change="onPick($event, false)">
        <input ref="folder" type="file" webkitdirectory multiple hidden tabindex="-1"
               @change="onPick($event, true)">
      </div>
      <div ref="live" class="sb-up-live"></div>
    </div>
  `,
  props: {
    endpoint: String,
    max_bytes: Number,
    limit: String,
    hint: String,
    accept: String,
    settings: Object,
    acked: Number,
  },
  data() {
    return { over: false };
  },
  mounted() {
    this.queue = [];
    this.active = new Set();
    this.totals = { files: 0, bytes: 0, done: 0, doneBytes: 0 };
    this.failures = 0; // transient failures in a row: the connection is away while > 0
    this.lastSuccess = 0;
    this.holdUntil = 0;
    this.holdTimer = null;
    this.waiting = null; // the file that waits to be retried
    this.stoppedAt = 0;
    this.wasBusy = false;
    this.ticking = null;
    this.unsent = []; // browser reports not yet sent
    this.unacked = []; // [{seq, at, entries}]
    this.reportSeq = 0;
    this.frame = 0;
    this.renderTimer = 0;
    this.view = new UploadView(this.$refs.live, CONCURRENCY + 1, {
      onRetry: () => this.retryNow(),
      onStop: () => this.stop(),
    });
    this.reportTimer = setInterval(() => this.flushReports(), REPORT_EVERY_MS);
    this.watchdog = setInterval(() => this.abortStalled(), 1000);
    this.onOnline = () => this.retryNow();
    window.addEventListener("online", this.onOnline);
    // Files dropped anywhere on the page are taken (rather than opened by the browser).
    this.onDragOver = (e) => {
      if (!e.dataTransfer || ![...e.dataTransfer.types].includes("Files")) return;
      e.preventDefault();
      this.over = true;
      clearTimeout(this.overTimer);
      this.overTimer = setTimeout(() => (this.over = false), 150);
    };
    this.onDropAnywhere = (e) => {
      if (!e.dataTransfer || ![...e.dataTransfer.types].includes("Files")) return;
      e.preventDefault();
      this.onDrop(e);
    };
    window.addEventListener("dragover", this.onDragOver);
    window.addEventListener("drop", this.onDropAnywhere);
    this.onLeave = (e) => {
      if (!this.busy()) return;
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", this.onLeave);
  },
  unmounted() {
    clearInterval(this.reportTimer);
    clearInterval(this.watchdog);
    clearTimeout(this.holdTimer);
    clearTimeout(this.renderTimer);
    clearTimeout(this.ticking);
    cancelAnimationFrame(this.frame);
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("beforeunload", this.onLeave);
    window.removeEventListener("dragover", this.onDragOver);
    window.removeEventListener("drop", this.onDropAnywhere);
  },
  watch: {
    acked(seq) {
      this.unacked = this.unacked.filter((r) => r.seq > seq);
    },
  },
  methods: {
    // --- taking files in ------------------------------------------------------------------
    onPick(event, inFolder) {
      const picked = [...event.target.files].map((file) => ({
        file,
        name: (inFolder && file.webkitRelativePath) || file.name,
        inFolder,
      }));
      event.target.value = "";
      this.add(picked);
    },
    async onDrop(event) {
      this.over = false;
      // The items are only readable during the event itself: take the entries first.
      const items = event.dataTransfer.items;
      const loose = [];
      const folders = [];
      if (items && items.length && typeof items[0].webkitGetAsEntry === "function") {
        for (const item of items) {
          if (item.kind !== "file") continue;
          const entry = item.webkitGetAsEntry();
          if (entry && entry.isDirectory) folders.push(entry);
          else {
            const file = item.getAsFile();
            if (file) loose.push({ file, name: file.name, inFolder: false });
          }
        }
      } else {
        for (const file of event.dataTransfer.files) loose.push({ file, name: file.name, inFolder: false });
      }
      if (folders.length) this.view.reading();
      const found = [];
      for (const folder of folders) await readFolder(folder, found);
      found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.add([...loose, ...found]);
    },
    async add(picked) {
      if (!picked.length) {
        this.schedule();
        return;
      }
      const batch = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
      const startedAt = Date.now();
      this.wasBusy = true;
      if (!this.totals.files) this.view.reveal();
      // In short slices, between which the page gets its turn: reading a File's size can
      // cost the browser a file system call, and for a thousand files that adds up.
      let n = 0;
      const sizes = []; // of the files that will be sent: the page checks them against the quota
      while (n < picked.length) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        const until = performance.now() + ADD_SLICE_MS;
        const stopped = this.stoppedAt >= startedAt; // Stop pressed while files were coming in
        do {
          const size = this.take(picked[n], `${batch}-${n}`, stopped);
          if (size !== null) sizes.push(size);
        } while (++n < picked.length && performance.now() < until);
        this.pump();
      }
      if (sizes.length) this.$emit("picked", sizes);
    },
    take({ file, name, inFolder }, key, stopped) {
      this.totals.files += 1;
      const hidden = inFolder && name.split("/").some((part) => part.startsWith("."));
      if (stopped) {
        this.settleLocally({ key, name, size: 0 }, "skipped", "cancelled before it was sent");
      } else if (hidden) {
        this.settleLocally({ key, name, size: 0 }, "skipped", "a hidden file");
      } else if (inFolder && !IMAGE_NAME.test(name)) {
        this.settleLocally({ key, name, size: 0 }, "skipped", "not an image, by its name");
      } else if (file.size > this.max_bytes) {
        this.settleLocally({ key, name, size: 0 }, "refused", `larger than the ${this.limit} limit`);
      } else {
        this.totals.bytes += file.size;
        this.queue.push({ key, file, name, size: file.size, sent: 0, attempts: 0, state: "queued" });
        return file.size;
      }
      return null;
    },
    // --- sending --------------------------------------------------------------------------
    busy() {
      return this.queue.length > 0 || this.active.size > 0;
    },
    pump() {
      const now = Date.now();
      if (this.holdUntil > now) {
        clearTimeout(this.holdTimer);
        this.holdTimer = setTimeout(() => this.pump(), this.holdUntil - now);
        return;
      }
      const slots = this.failures > 0 ? 1 : CONCURRENCY; // while the server is away: one probe
      while (this.active.size < slots && this.queue.length) this.send(this.queue.shift());
      this.schedule();
    },
    retryNow() {
      this.holdUntil = 0;
      this.pump();
    },
    send(item) {
      if (this.waiting === item) this.waiting = null;
      this.active.add(item);
      item.state = "sending";
      item.sent = 0;
      item.attempts += 1;
      const settings = this.settings || {};
      const form = new FormData();
      form.append("file", item.file, baseName(item.name));
      for (const field of ["visibility", "tags", "description"]) {
        if (settings[field]) form.append(field, settings[field]);
      }
      const xhr = new XMLHttpRequest();
      item.xhr = xhr;
      xhr.open("POST", (window.path_prefix || "") + this.endpoint);
      xhr.timeout = REQUEST_TIMEOUT_MS;
      xhr.setRequestHeader("X-Shoebox-Upload-Key", item.key);
      xhr.setRequestHeader("X-Shoebox-Upload-Name", encodeURIComponent(item.name));
      item.movedAt = Date.now();
      xhr.upload.onprogress = (e) => {
        item.sent = e.loaded;
        item.movedAt = Date.now();
        this.schedule();
      };
      xhr.upload.onload = () => {
        item.state = "processing";
        item.movedAt = Date.now();
        this.schedule();
      };
      xhr.onload = () => this.answered(item, xhr.status, parseJson(xhr.responseText), xhr);
      xhr.onerror = () => this.answered(item, 0, null, xhr);
      xhr.ontimeout = () => this.answered(item, 0, null, xhr);
      xhr.onabort = () => this.answered(item, 0, null, xhr); // only the watchdog aborts
      xhr.send(form);
    },
    abortStalled() {
      const now = Date.now();
      for (const item of this.active) {
        const limit = item.state === "processing" ? PROCESSING_MS : STALL_MS;
        if (item.xhr && now - item.movedAt > limit) item.xhr.abort();
      }
    },
    answered(item, status, body, xhr) {
      if (!this.active.has(item) || item.xhr !== xhr) return; // already answered
      this.active.delete(item);
      item.xhr = null;
      const detail = (body && typeof body.detail === "string" && body.detail) || "";
      if (RETRY_STATUSES.has(status)) item.firstFailure = item.firstFailure || Date.now();
      if (RETRY_STATUSES.has(status) && this.mayRetry(item)) {
        this.failures += 1;
        const retryAfter = Number(xhr.getResponseHeader("Retry-After")) * 1000;
        const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures, 8));
        const wait = retryAfter > 0 ? Math.min(retryAfter, 300000) : backoff * (0.5 + Math.random() / 2);
        this.holdUntil = Math.max(this.holdUntil, Date.now() + wait);
        item.state = "waiting";
        item.reason = status === 0 ? "Connection lost" : `The server answered ${status}`;
        this.waiting = item;
        this.queue.unshift(item);
        this.pump();
        return;
      }
      if (status === 201 || status === 409) {
        // The server noted what it was (a 409 after a lost answer stays "added" there).
        this.failures = 0;
        this.lastSuccess = Date.now();
        this.settle(item);
      } else if (status === 401) {
        this.settleLocally(item, "refused", "your session has ended; please sign in again");
        this.stopAll("your session has ended; please sign in again", "refused");
      } else {
        if (status !== 0) this.failures = 0;
        const reason =
          status === 0
            ? "could not be sent: the connection kept failing"
            : detail || `the server answered ${status}`;
        this.settleLocally(item, "refused", reason);
      }
      this.pump();
    },
    mayRetry(item) {
      // Give up on a file only when others get through meanwhile: then it is this file.
      return item.attempts < MAX_ATTEMPTS || this.lastSuccess < item.firstFailure;
    },
    settle(item) {
      this.totals.done += 1;
      this.totals.doneBytes += item.size;
      item.state = "done";
      item.file = null;
      // For tests and benchmarks: how far this page's uploads are (no DOM involved).
      window.sbUploads = { files: this.totals.files, done: this.totals.done, at: performance.now() };
      this.schedule();
    },
    settleLocally(item, outcome, detail) {
      this.unsent.push({ key: item.key, name: item.name, status: outcome, detail });
      this.settle(item);
    },
    stop() {
      this.stoppedAt = Date.now();
      this.stopAll("cancelled before it was sent", "skipped");
    },
    stopAll(detail, outcome) {
      const left = this.queue.splice(0);
      this.waiting = null;
      clearTimeout(this.holdTimer);
      for (const item of left) this.settleLocally(item, outcome, detail);
      this.schedule();
    },
    // --- telling the server what it cannot know --------------------------------------------
    flushReports() {
      const now = Date.now();
      for (const report of this.unacked) {
        if (now - report.at > REPORT_RESEND_MS) {
          report.at = now;
          this.$emit("report", { seq: report.seq, entries: report.entries });
        }
      }
      while (this.unsent.length) {
        const entries = this.unsent.splice(0, REPORT_MAX);
        const report = { seq: ++this.reportSeq, at: now, entries };
        this.unacked.push(report);
        this.$emit("report", { seq: report.seq, entries });
      }
      if (this.wasBusy && !this.busy()) {
        this.wasBusy = false;
        this.$emit("idle", {}); // the batch is over: the server saves the list now
      }
    },
    // --- showing it (pages/upload_view.js) -----------------------------------------------
    schedule() {
      if (this.frame || this.renderTimer) return;
      const wait = (this.lastRender || 0) + RENDER_EVERY_MS - performance.now();
      const later = () => {
        this.renderTimer = 0;
        this.frame = requestAnimationFrame(() => this.render());
      };
      if (wait > 0) this.renderTimer = setTimeout(later, wait);
      else later();
    },
    render() {
      this.frame = 0;
      this.lastRender = performance.now();
      const countingDown = this.view.render(this);
      if (countingDown && !this.ticking) {
        this.ticking = setTimeout(() => {
          this.ticking = null;
          this.schedule();
        }, 1000);
      }
    },
  },
};
