// A button with data-insert puts its text into the reply box at the cursor.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-insert]");
  if (!button) return;
  var box = document.getElementById("id_body");
  if (!box) return;
  var text = button.getAttribute("data-insert");
  var start = box.selectionStart || 0, end = box.selectionEnd || 0;
  box.value = box.value.slice(0, start) + text + box.value.slice(end);
  box.focus();
  box.selectionStart = box.selectionEnd = start + text.length;
});
