// Small enhancements on top of htmx; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Put the keyboard and screen reader right at the list of errors after a failed submit.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});

// Workshop kit: a print button for the print views; without JavaScript it stays hidden and
// the page tells people to use the browser's own print command.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
});

// "Show more comments": htmx appends the next page; the keyboard and screen reader go on at its
// first comment (the live region says how many came). Without JavaScript the link opens that page.
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target.id !== "comment-list") return;
  const starts = event.detail.target.querySelectorAll(":scope > li[data-page-start] > article");
  if (starts.length) starts[starts.length - 1].focus();
});
