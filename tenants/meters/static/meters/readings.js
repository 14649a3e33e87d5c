// The submission form (tenants/meters): the consumption shown as a figure is typed.
// A static file (CSP: script-src 'self'); without it the form works the same.
(function () {
  "use strict";
  function number(text) {
    var cleaned = String(text || "").replace(/[\s\u00a0]/g, "").replace(",", ".");
    return /^\d+(\.\d*)?$/.test(cleaned) ? parseFloat(cleaned) : NaN;
  }
  function update(input) {
    var output = document.querySelector('output[for="' + input.id + '"]');
    if (!output) return;
    var value = number(input.value);
    var previous = number(input.getAttribute("data-previous"));
    if (input.value.trim() === "" || isNaN(value) || isNaN(previous)) {
      output.textContent = "—";
      return;
    }
    var used = Math.round((value - previous) * 1000) / 1000;
    var lang = document.documentElement.lang || undefined;
    output.textContent = used.toLocaleString(lang) + " " + (input.getAttribute("data-unit") || "");
    output.classList.toggle("meters-negative", used < 0);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input[data-previous]");
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("input", function () { update(input); });
      if (input.value) update(input);
    });
  });
})();
