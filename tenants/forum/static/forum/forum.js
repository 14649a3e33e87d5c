// The mention picker: a member ticked in the search results moves to the picked ones, so a
// new search (which replaces the results) keeps them.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches(".forum-mention-list input[type=checkbox]") || !box.checked) {
    return;
  }
  var picker = box.closest(".forum-picker");
  var picked = picker && picker.querySelector(".forum-picked");
  if (picked) {
    picked.appendChild(box.closest("label"));
  }
});
