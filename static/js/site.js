// Small enhancements on top of htmx; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Put the keyboard and screen reader right at the list of errors after a failed submit.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
