// Moves focus to an error summary or confirmation so screen-reader users hear it first.
document.addEventListener('DOMContentLoaded', function () {
  var el = document.querySelector('[data-focus]');
  if (el) el.focus();
});
