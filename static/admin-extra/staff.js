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

// Document previews: zoom an image in and out with buttons. Without JavaScript the
// image is a link that opens it at full size in a new tab.
(function () {
  "use strict";
  var LEVELS = 4;
  function setLevel(box, level) {
    for (var i = 2; i <= LEVELS; i++) { box.classList.remove("sscard-zoom--" + i); }
    if (level > 1) { box.classList.add("sscard-zoom--" + level); }
    box.setAttribute("data-level", String(level));
  }
  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }
  function enhance(box) {
    if (box.getAttribute("data-level")) { return; }
    setLevel(box, 1);
    var level = function () { return Number(box.getAttribute("data-level")); };
    var tools = document.createElement("p");
    tools.className = "sscard-zoom__tools";
    tools.appendChild(button(box.getAttribute("data-zoom-in") || "+", function () {
      setLevel(box, Math.min(LEVELS, level() + 1));
    }));
    tools.appendChild(button(box.getAttribute("data-zoom-out") || "-", function () {
      setLevel(box, Math.max(1, level() - 1));
    }));
    tools.appendChild(button(box.getAttribute("data-zoom-reset") || "1:1", function () {
      setLevel(box, 1);
    }));
    box.parentNode.insertBefore(tools, box);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".sscard-zoom").forEach(enhance);
  });
})();
