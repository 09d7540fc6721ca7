// kechuang: small progressive enhancements. No inline scripts anywhere
// (the Content-Security-Policy forbids them); behaviour hangs on data-*.
(function () {
  "use strict";
  // Buttons with data-confirm ask before their form is sent.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      ev.preventDefault();
    }
  });
})();
