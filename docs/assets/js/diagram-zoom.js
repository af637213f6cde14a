// Wide diagrams on lecture pages. A flowchart wider than the text column is scaled down together with
// its labels (a 1,500-px-wide chart in a 700-px column has 7-px text). Click it, or press Enter/Space
// when it has focus, to show it over the whole window at up to its natural size; click again or press
// Esc to close. Material renders each diagram into a closed shadow root on its host element
// (.mermaid), so everything here works on the host: the SVG inside is 100% wide up to its own size.
(function () {
  var LABEL = "图表：点击放大，再次点击或按 Esc 关闭";

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

  function toggle(el, on) {
    el.classList.toggle("diagram-zoomed", on);
    el.setAttribute("aria-expanded", on ? "true" : "false");
    document.documentElement.classList.toggle("diagram-zoom-open", on);
  }

  function host(target) {
    return target && target.closest ? target.closest(".md-typeset .mermaid[data-zoom]") : null;
  }

  document.addEventListener("click", function (e) {
    var el = host(e.target);
    if (el) toggle(el, !el.classList.contains("diagram-zoomed"));
  });
  document.addEventListener("keydown", function (e) {
    var open = document.querySelector(".diagram-zoomed");
    if (e.key === "Escape" && open) {
      toggle(open, false);
      open.focus();
      return;
    }
    var el = host(e.target);
    if (el && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      toggle(el, !el.classList.contains("diagram-zoomed"));
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
