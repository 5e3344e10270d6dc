// Django's list filter labels its search icon with aria-label on a plain <span>, which
// ARIA does not allow; the icon is an image, so it says so. The widget is built after
// the page loads, hence the observer.
(function () {
  "use strict";
  function name(root) {
    root.querySelectorAll(".help-tooltip.search-label-icon[aria-label]:not([role])")
      .forEach(function (icon) { icon.setAttribute("role", "img"); });
  }
  new MutationObserver(function () { name(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { name(document); });
})();
