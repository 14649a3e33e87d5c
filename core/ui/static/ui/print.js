// Print buttons (`data-print`): no inline scripts or handlers, the portal's CSP forbids them.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
