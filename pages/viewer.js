// The full-screen viewer over the gallery (issue 10), and the gallery's scroll position kept
// across a visit to an image page ("Results", Back).
//
// The viewer is an overlay: the gallery underneath never moves, so closing it leaves the page
// exactly where it was. It walks the tiles in the grid (`.sb-gallery .sb-tile`) and asks the
// grid for more at the end. Keys: left/right arrows, Esc, + and - (zoom). Mouse: click to zoom
// in at the point and out again, drag to pan, the wheel zooms. Touch: swipe left/right for the
// next/previous photo, down to close; pinch to zoom, drag to pan. The phone's Back button closes
// it (it is one history entry). Titles go in as text, never as markup.
(() => {
  const MAX_ZOOM = 5;
  const CLICK_ZOOM = 2.5;
  const api = (id, kind) => `/api/v1/images/${encodeURIComponent(id)}/${kind}`;
  const V = { el: null, index: -1, pushed: false, s: 1, tx: 0, ty: 0, pointers: new Map() };

  const tiles = () => [...document.querySelectorAll('.sb-gallery .sb-tile')];

  function build() {
    const el = document.createElement('div');
    el.className = 'sb-viewer';
    el.id = 'sb-viewer';
    el.hidden = true;
    el.setAttribute('role', 'dialog');
    el.setAttribute('aria-modal', 'true');
    el.setAttribute('aria-label', 'Photo viewer');
    const icon = (name) => `<i class="material-icons" aria-hidden="true">${name}</i>`;
    el.innerHTML =
      '<div class="sb-v-stage"><img class="sb-v-img" alt="" draggable="false"></div>' +
      '<div class="sb-v-bar"><span class="sb-v-title"></span><span class="sb-v-count"></span>' +
      '<span class="sb-v-spacer"></span>' +
      `<a class="sb-v-btn sb-v-details" title="Details, tags and editing">${icon('info')}` +
      '<span class="sr-only">Details</span></a>' +
      `<button type="button" class="sb-v-btn sb-v-zoom" aria-label="Zoom in (+)">${icon('zoom_in')}</button>` +
      `<button type="button" class="sb-v-btn sb-v-close" aria-label="Close (Esc)">${icon('close')}</button></div>` +
      `<button type="button" class="sb-v-btn sb-v-prev" aria-label="Previous photo (left arrow)">${icon('chevron_left')}</button>` +
      `<button type="button" class="sb-v-btn sb-v-next" aria-label="Next photo (right arrow)">${icon('chevron_right')}</button>`;
    document.body.appendChild(el);
    el.querySelector('.sb-v-close').addEventListener('click', () => close());
    el.querySelector('.sb-v-prev').addEventListener('click', () => step(-1));
    el.querySelector('.sb-v-next').addEventListener('click', () => step(1));
    el.querySelector('.sb-v-zoom').addEventListener('click', () => zoomAt(V.s > 1 ? 1 : CLICK_ZOOM));
    el.querySelector('.sb-v-details').addEventListener('click', (e) => {
      // The image page takes the viewer's place in the history: Back returns to the gallery.
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      savePlace();
      V.pushed = false;
      location.replace(e.currentTarget.href);
    });
    wirePointers(el.querySelector('.sb-v-stage'));
    return el;
  }

  function part(name) { return V.el.querySelector(name); }

  function open(tile) {
    if (!V.el) V.el = build();
    const index = tiles().indexOf(tile);
    if (index < 0) return;
    V.opener = tile.querySelector('.sb-link');
    V.el.hidden = false;
    document.documentElement.classList.add('sb-viewing');
    if (!V.pushed) {
      history.pushState({ ...(history.state || {}), sbViewer: true }, '');
      V.pushed = true;
    }
    show(index);
    part('.sb-v-close').focus({ preventScroll: true });
  }

  function close(fromHistory = false) {
    if (!V.el || V.el.hidden) return;
    V.el.hidden = true;
    document.documentElement.classList.remove('sb-viewing');
    part('.sb-v-img').removeAttribute('src');
    if (V.pushed) {
      V.pushed = false;
      if (!fromHistory) history.back();
    }
    const all = tiles();
    const link = all[V.index] && all[V.index].querySelector('.sb-link');
    (link || V.opener)?.focus({ preventScroll: true });
    // The gallery stays where it was; only if the viewer walked beyond the screen does the
    // last photo seen come into view.
    const tile = all[V.index];
    if (tile) {
      const r = tile.getBoundingClientRect();
      if (r.bottom < 0 || r.top > innerHeight) tile.scrollIntoView({ block: 'center' });
    }
  }

  function show(index) {
    const all = tiles();
    const tile = all[index];
    if (!tile) return;
    V.index = index;
    resetZoom();
    const id = tile.dataset.id;
    const link = tile.querySelector('.sb-link');
    const thumb = tile.querySelector('img');
    const img = part('.sb-v-img');
    img.src = api(id, 'thumbnail'); // already in the cache: something at once
    img.alt = thumb ? thumb.alt : '';
    img.dataset.id = id;
    img.classList.add('sb-v-low');
    const preview = new Image();
    preview.onload = () => {
      if (V.index === index && img.dataset.id === id) {
        img.src = preview.src;
        img.classList.remove('sb-v-low');
      }
    };
    preview.src = api(id, 'preview');
    part('.sb-v-title').textContent = thumb ? thumb.alt : '';
    const total = Number(document.querySelector('.sb-gallery')?.dataset.total || all.length);
    part('.sb-v-count').textContent = `${index + 1} of ${Math.max(total, all.length)}`;
    part('.sb-v-details').href = link ? link.getAttribute('href') : '#';
    part('.sb-v-prev').disabled = index === 0;
    part('.sb-v-next').disabled = index >= all.length - 1 && !moreButton();
    const next = all[index + 1];
    if (next) new Image().src = api(next.dataset.id, 'preview'); // ready when asked for
  }

  function moreButton() {
    const el = document.querySelector('[data-sb-event]');
    return el && el.offsetParent !== null ? el : null;
  }

  function step(delta) {
    const all = tiles();
    const target = V.index + delta;
    if (target < 0) return;
    if (target < all.length) return show(target);
    const more = moreButton(); // at the end of what is loaded: ask the grid for the next batch
    if (!more) return;
    emitEvent(more.dataset.sbEvent);
    const waitUntil = Date.now() + 8000;
    const poll = () => {
      if (V.el.hidden) return;
      if (tiles().length > target) return show(target);
      if (Date.now() < waitUntil) setTimeout(poll, 100);
    };
    poll();
  }

  // ---- zoom and gestures --------------------------------------------------------------------

  function apply() {
    const img = part('.sb-v-img');
    img.style.transform = V.s === 1 ? '' : `translate(${V.tx}px, ${V.ty}px) scale(${V.s})`;
    V.el.classList.toggle('sb-v-zoomed', V.s > 1);
    const zoom = part('.sb-v-zoom');
    zoom.setAttribute('aria-label', V.s > 1 ? 'Zoom out (-)' : 'Zoom in (+)');
    zoom.firstElementChild.textContent = V.s > 1 ? 'zoom_out' : 'zoom_in';
    if (V.s > CLICK_ZOOM * 0.8) part('.sb-v-img').classList.remove('sb-v-low');
  }

  function resetZoom() { V.s = 1; V.tx = 0; V.ty = 0; if (V.el) apply(); }

  // Zoom to `scale`, keeping the picture point under (x, y) (client px) where it is.
  function zoomAt(scale, x, y) {
    const img = part('.sb-v-img');
    const base = img.getBoundingClientRect(); // includes the current transform
    const px = x ?? base.left + base.width / 2;
    const py = y ?? base.top + base.height / 2;
    const s = Math.min(Math.max(scale, 1), MAX_ZOOM);
    if (s === 1) return resetZoom();
    // The untransformed box's corner, then the point in the picture's own pixels.
    const left = base.left - V.tx, top = base.top - V.ty;
    const u = (px - base.left) / V.s, v = (py - base.top) / V.s;
    V.tx = px - left - u * s;
    V.ty = py - top - v * s;
    V.s = s;
    if (s > 1) { // the full preview, not the thumbnail, once zoomed
      const img2 = part('.sb-v-img');
      const id = img2.dataset.id;
      if (id && !img2.src.endsWith('/preview')) img2.src = api(id, 'preview');
    }
    apply();
  }

  function wirePointers(stage) {
    let start = null; // the gesture so far
    stage.addEventListener('pointerdown', (e) => {
      if (e.target.closest('.sb-v-btn')) return;
      try { stage.setPointerCapture(e.pointerId); } catch { /* a synthetic pointer */ }
      V.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      const pts = [...V.pointers.values()];
      if (pts.length === 1) {
        start = { x: e.clientX, y: e.clientY, t: Date.now(), tx: V.tx, ty: V.ty, moved: false };
      } else if (pts.length === 2) {
        const [a, b] = pts;
        start = {
          pinch: true, s: V.s, dist: Math.hypot(a.x - b.x, a.y - b.y) || 1,
          mx: (a.x + b.x) / 2, my: (a.y + b.y) / 2, moved: true,
        };
      }
    });
    stage.addEventListener('pointermove', (e) => {
      if (!V.pointers.has(e.pointerId) || !start) return;
      V.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      const pts = [...V.pointers.values()];
      if (start.pinch && pts.length === 2) {
        const [a, b] = pts;
        const dist = Math.hypot(a.x - b.x, a.y - b.y);
        zoomAt(start.s * dist / start.dist, (a.x + b.x) / 2, (a.y + b.y) / 2);
        return;
      }
      const dx = e.clientX - start.x, dy = e.clientY - start.y;
      if (Math.hypot(dx, dy) > 6) start.moved = true;
      if (V.s > 1) { // pan
        V.tx = start.tx + dx;
        V.ty = start.ty + dy;
        apply();
      } else if (start.moved) { // follow the finger a little while swiping
        part('.sb-v-img').style.transform = `translate(${dx * 0.5}px, ${Math.max(dy, 0) * 0.5}px)`;
      }
    });
    const end = (e) => {
      if (!V.pointers.has(e.pointerId)) return;
      V.pointers.delete(e.pointerId);
      if (!start) return;
      if (start.pinch) { if (V.pointers.size === 0) start = null; return; }
      const dx = e.clientX - start.x, dy = e.clientY - start.y;
      const gesture = start;
      start = null;
      if (e.type === 'pointercancel') { apply(); return; }
      if (!gesture.moved && Date.now() - gesture.t < 500) { // a click or a tap: zoom
        zoomAt(V.s > 1 ? 1 : CLICK_ZOOM, e.clientX, e.clientY);
        return;
      }
      if (V.s > 1) return;
      apply(); // back in place
      if (Math.abs(dx) > 60 && Math.abs(dx) > Math.abs(dy)) step(dx < 0 ? 1 : -1);
      else if (dy > 90 && Math.abs(dy) > Math.abs(dx)) close();
    };
    stage.addEventListener('pointerup', end);
    stage.addEventListener('pointercancel', end);
    stage.addEventListener('wheel', (e) => {
      e.preventDefault();
      zoomAt(V.s * Math.exp(-e.deltaY * 0.002), e.clientX, e.clientY);
    }, { passive: false });
  }

  // ---- wiring -------------------------------------------------------------------------------

  document.addEventListener('click', (e) => {
    const link = e.target.closest && e.target.closest('.sb-gallery .sb-link');
    if (!link || e.defaultPrevented || e.button !== 0) return;
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return; // a new tab: the page itself
    if (link.closest('.sb-selecting')) return;
    e.preventDefault();
    open(link.closest('.sb-tile'));
  });

  document.addEventListener('keydown', (e) => {
    if (!V.el || V.el.hidden) return;
    const keys = { ArrowLeft: () => step(-1), ArrowRight: () => step(1), Escape: () => close(),
      '+': () => zoomAt(V.s * 1.5), '=': () => zoomAt(V.s * 1.5), '-': () => zoomAt(V.s / 1.5) };
    const action = keys[e.key];
    if (action && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      e.stopImmediatePropagation(); // not also the gallery's own shortcuts underneath
      action();
    } else if (e.key === 'Tab') { // keep the focus inside the dialog
      const focusable = [...V.el.querySelectorAll('button:not([disabled]), a[href]')];
      const i = focusable.indexOf(document.activeElement);
      const to = e.shiftKey ? (i <= 0 ? focusable.length - 1 : i - 1) : (i + 1) % focusable.length;
      e.preventDefault();
      focusable[to]?.focus();
    } else if (e.key === '/') {
      e.stopImmediatePropagation();
    }
  }, true);

  addEventListener('popstate', () => { if (V.pushed) { V.pushed = false; close(true); } });

  window.sbViewer = { open: (id) => {
    const tile = tiles().find((t) => t.dataset.id === id);
    if (tile) open(tile);
  }, close: () => close(), index: () => (V.el && !V.el.hidden ? V.index : -1) };

  // ---- the gallery's place, kept across a visit to an image page -------------------------------

  const KEY = 'sb-gallery-place';
  const here = () => {
    const params = new URLSearchParams(location.search);
    params.sort();
    return location.pathname + '?' + params.toString();
  };
  // The place saved when this page was left, read before this page's own scrolling (the
  // browser's, while the first tiles come in) could overwrite it; nothing is saved until the
  // gallery has asked for it (sbPlace) and, if it goes back there, got there (sbScrollTo).
  const readPlace = () => {
    try { return JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch { return null; }
  };
  const before = readPlace();
  let hold = true;
  setTimeout(() => { hold = false; }, 15000); // never stop saving for good
  if ('scrollRestoration' in history) history.scrollRestoration = 'manual';

  function savePlace() {
    const count = tiles().length;
    if (hold || !count) return;
    sessionStorage.setItem(KEY, JSON.stringify({ url: here(), y: scrollY, count }));
  }
  let saving = false;
  addEventListener('scroll', () => {
    if (saving || !document.querySelector('.sb-gallery')) return;
    saving = true;
    requestAnimationFrame(() => { saving = false; savePlace(); });
  }, { passive: true });
  addEventListener('pagehide', () => { if (document.querySelector('.sb-gallery')) savePlace(); });

  // Called by the gallery once its first batch is shown: the place to go back to, if this is a
  // return to the same gallery (Back, or the image page's "Results").
  window.sbPlace = () => {
    const saved = before;
    const nav = performance.getEntriesByType('navigation')[0];
    let fromImage = false;
    try { fromImage = new URL(document.referrer).pathname.startsWith('/images/'); } catch { }
    const back = (nav && nav.type === 'back_forward') || fromImage;
    if (!saved || saved.url !== here() || !(saved.y > 0) || !back) {
      hold = false;
      return null;
    }
    return { y: saved.y, count: saved.count };
  };
  // Scroll there once the page is tall enough (the tiles are laid out before their pictures load).
  window.sbScrollTo = (y) => {
    const until = Date.now() + 3000;
    const go = () => {
      if (document.documentElement.scrollHeight - innerHeight >= y || Date.now() > until) {
        scrollTo(0, y);
        hold = false;
        return;
      }
      requestAnimationFrame(go);
    };
    go();
  };
})();
