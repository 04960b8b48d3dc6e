/* The notifications page: the header badge follows "Mark all as read" (the server answers
 * with HX-Trigger {"sbBadge": {"count": n}}), and notifications arriving live offer a button
 * that loads the list again. No inline script: loaded with `defer`. */
(function () {
  "use strict";

  document.addEventListener("sbBadge", function (event) {
    const count = Number((event.detail && event.detail.count) || 0);
    if (window.sbSetBadge) window.sbSetBadge(count);
  });

  const pageBox = document.querySelector("[data-notifications-url]");
  const button = pageBox ? pageBox.querySelector(".new-items") : null;
  if (!pageBox || !button) return;

  document.addEventListener("sb:notification", function () {
    button.hidden = false;
  });

  button.addEventListener("click", function () {
    if (!window.htmx) {
      location.reload();
      return;
    }
    window.htmx
      .ajax("GET", pageBox.dataset.notificationsUrl, { target: "#notification-list", swap: "outerHTML" })
      .then(function () {
        button.hidden = true;
        const first = document.querySelector("#notification-list .notification-link");
        if (first) first.focus();
      });
  });
})();
