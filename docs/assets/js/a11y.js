// Keyboard access to wide tables: Material wraps each table in .md-typeset__scrollwrap; when the
// table is wider than the column, the wrapper scrolls sideways, and a scrolling region must be
// focusable so keyboard users can scroll it (WCAG 2.1.1, axe rule scrollable-region-focusable).
function markScrollableRegions() {
  document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset .highlight pre, .jupyter-wrapper .highlight-ipynb, .jupyter-wrapper .jp-OutputArea-output pre, .jupyter-wrapper .jp-RenderedHTMLCommon table").forEach(function (el) {
    if (el.scrollWidth > el.clientWidth + 1) {
      el.setAttribute("tabindex", "0");
      if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", "可横向滚动的内容");
    } else if (el.getAttribute("tabindex") === "0") {
      el.removeAttribute("tabindex");
    }
  });
}
if (typeof document$ !== "undefined") {
  document$.subscribe(markScrollableRegions);
} else {
  document.addEventListener("DOMContentLoaded", markScrollableRegions);
}
window.addEventListener("resize", markScrollableRegions);
