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

  // Fields marked data-show-for-reason="x" show only while that answer is chosen.
  // Without JavaScript they stay visible, under a legend that says when they apply.
  document.querySelectorAll("[data-show-for-reason]").forEach(function (fieldset) {
    var form = fieldset.closest("form");
    var radios = form ? form.querySelectorAll("input[name=reason]") : [];
    function sync() {
      var chosen = form.querySelector("input[name=reason]:checked");
      fieldset.hidden = !chosen || chosen.value !== fieldset.getAttribute("data-show-for-reason");
    }
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
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
