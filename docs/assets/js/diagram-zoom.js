// Wide diagrams on lecture pages. A flowchart wider than the text column is scaled down together with
// its labels (a 1,500-px-wide chart in a 700-px column has 7-px text; on a 375-px phone, 4 px). Click it,
// or press Enter/Space when it has focus, to show it over the whole window: as wide as the window, or, when
// that would shrink it below 80 % of its natural size (labels under ~12 px), at 80 % of its natural size in
// a view that scrolls both ways (pan with a finger, the wheel or the arrow keys). Click again or press Esc
// to close. Material renders each diagram into a closed shadow root on its host element (.mermaid), so
// everything here works on the host: the SVG inside is 100% wide up to its natural size, which is measured
// from the outside (its height grows with the host's width until the natural width is reached).
(function () {
  var LABEL = "图表：点击放大，再次点击或按 Esc 关闭";
  var MIN_SCALE = 0.8; // of the natural size in the zoom view: mermaid's 14–16 px labels stay ≥ 11 px
  var opened = null; // { host, placeholder, overlay }

  function prepare(root) {
    (root || document).querySelectorAll(".md-typeset .mermaid:not([data-zoom])").forEach(function (el) {
      if (el.tagName === "PRE") return; // not rendered yet
      el.setAttribute("data-zoom", "");
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "button");
      el.setAttribute("aria-label", LABEL);
      el.setAttribute("aria-expanded", "false");
    });
  }

  // Content height of the host at a given content width (restores the width afterwards).
  function heightAt(el, width, padX, padY) {
    var old = el.style.width;
    el.style.width = (width + padX) + "px";
    var h = el.getBoundingClientRect().height - padY;
    el.style.width = old;
    return h;
  }

  // The diagram's natural width: the smallest host width at which its height stops growing (bisection,
  // a dozen layouts of this one element).
  function naturalWidth(el) {
    var cs = getComputedStyle(el);
    var padX = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + parseFloat(cs.borderLeftWidth) + parseFloat(cs.borderRightWidth);
    var padY = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom) + parseFloat(cs.borderTopWidth) + parseFloat(cs.borderBottomWidth);
    var lo = Math.max(1, el.getBoundingClientRect().width - padX), hi = 20000;
    var full = heightAt(el, hi, padX, padY);
    if (heightAt(el, lo, padX, padY) >= full - 0.5) return lo;
    while (hi - lo > 4) {
      var mid = (lo + hi) / 2;
      if (heightAt(el, mid, padX, padY) >= full - 0.5) hi = mid; else lo = mid;
    }
    return Math.ceil(hi);
  }

  function open(el) {
    var natural = naturalWidth(el);
    var placeholder = document.createElement("div");
    placeholder.className = "diagram-zoom-placeholder";
    placeholder.style.height = el.getBoundingClientRect().height + "px";
    var overlay = document.createElement("div");
    overlay.className = "md-typeset diagram-zoom-overlay";
    el.replaceWith(placeholder);
    overlay.appendChild(el);
    placeholder.after(overlay); // in place: the page keeps its layout and its order of diagrams
    opened = { host: el, placeholder: placeholder, overlay: overlay };
    el.classList.add("diagram-zoomed");
    el.setAttribute("aria-expanded", "true");
    document.documentElement.classList.add("diagram-zoom-open");
    var cs = getComputedStyle(el);
    var padX = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
    var room = overlay.clientWidth;
    var width = Math.max(room, Math.ceil(natural * MIN_SCALE) + padX);
    el.style.width = width + "px";
    var hint = document.createElement("p");
    hint.className = "diagram-zoom-hint";
    hint.setAttribute("aria-hidden", "true"); // the host's label already says how to close
    hint.textContent = (width > room ? "拖动查看全图 · " : "") + "轻点或按 Esc 关闭";
    overlay.appendChild(hint);
    if (width > room) overlay.scrollLeft = 0;
    el.focus({ preventScroll: true });
  }

  function close() {
    if (!opened) return;
    var el = opened.host;
    el.classList.remove("diagram-zoomed");
    el.setAttribute("aria-expanded", "false");
    el.style.width = "";
    opened.placeholder.replaceWith(el);
    opened.overlay.remove();
    opened = null;
    document.documentElement.classList.remove("diagram-zoom-open");
    el.focus({ preventScroll: true });
  }

  function host(target) {
    return target && target.closest ? target.closest(".md-typeset .mermaid[data-zoom]") : null;
  }

  document.addEventListener("click", function (e) {
    if (opened && (opened.overlay.contains(e.target))) { close(); return; }
    var el = host(e.target);
    if (el) open(el);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && opened) { close(); return; }
    var el = host(e.target);
    if (el && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      if (opened) close(); else open(el);
      return;
    }
    if (opened && /^Arrow/.test(e.key)) { // pan the zoom view with the keyboard
      var step = 60, o = opened.overlay;
      o.scrollBy(e.key === "ArrowLeft" ? -step : e.key === "ArrowRight" ? step : 0,
                 e.key === "ArrowUp" ? -step : e.key === "ArrowDown" ? step : 0);
      e.preventDefault();
    }
  });
  // Material replaces each <pre class="mermaid"> by its rendered host after the page loads (and again on
  // instant navigation): mark hosts as they appear.
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; prepare(); });
  }).observe(document.documentElement, { childList: true, subtree: true });
  prepare();
})();
