// The association portal's menu on a phone: collapsed behind the "Menu" button. Without this
// script the menu stays open (a wrapped list), so it works with JavaScript off too.
(function () {
  "use strict";
  function setUp(menu) {
    var button = menu.querySelector(".menu-toggle");
    var list = menu.querySelector(".portal-menu-list");
    if (!button || !list) return;
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }
    menu.classList.add("has-toggle");
    button.hidden = false;
    setOpen(false);
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("is-open")) {
        setOpen(false);
        button.focus();
      }
    });
  }
  function start() {
    document.querySelectorAll("[data-portal-menu]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
