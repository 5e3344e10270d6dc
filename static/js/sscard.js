/* Progressive enhancement only: every page works without JavaScript. */
(function () {
  "use strict";

  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  // "Print" buttons (statement pages).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });

  // Forms marked data-once are sent once: a double click does not post twice.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        // Stop double submissions without removing the button from the tab order.
        button.setAttribute("aria-disabled", "true");
        setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
})();
