/* The poster's print button: shown only when scripts run, since it needs them. */
document.querySelectorAll(".poster-print").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
