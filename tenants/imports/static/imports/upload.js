// The import page: say at once that a file is over the size limit, instead of uploading it
// only to have the server refuse it. The server checks again; this is a courtesy.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) {
    return;
  }
  var message = document.getElementById(input.getAttribute("data-message-id"));
  var file = input.files && input.files[0];
  var tooLarge = Boolean(file && file.size > Number(input.getAttribute("data-max-bytes")));
  if (message) {
    message.hidden = !tooLarge;
  }
  input.setCustomValidity(tooLarge && message ? message.textContent : "");
});
