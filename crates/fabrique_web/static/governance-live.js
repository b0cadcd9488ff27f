// Fabrique — live participation and results on decision and assembly pages.
// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Progressive enhancement: every element with a `data-live` attribute names a URL that
// answers the same HTML fragment the page was rendered with. This script fetches it every
// few seconds (`data-live-every`, in seconds, default 5) and swaps it in, so people in the
// room and remote follow the vote without reloading. It stops once the fragment carries
// `data-live-final` (the decision is closed, the assembly signed), pauses while the tab is
// hidden, and backs off after errors. Without JavaScript the page works as before: the
// refresh links (`data-live-refresh`), hidden here, reload it. The server decides what a
// fragment shows, so a secret ballot's partial results never reach the page.
(function () {
  "use strict";
  if (!window.fetch || !document.querySelectorAll) {
    return;
  }

  function hideRefreshLinks(root) {
    var links = root.querySelectorAll("[data-live-refresh]");
    for (var i = 0; i < links.length; i++) {
      links[i].hidden = true;
    }
  }

  function follow(region) {
    var url = region.getAttribute("data-live");
    var every = parseInt(region.getAttribute("data-live-every") || "5", 10) * 1000;
    if (!url || !(every > 0)) {
      return;
    }
    var delay = every;
    var last = region.innerHTML;

    function schedule() {
      window.setTimeout(poll, delay);
    }

    function poll() {
      if (document.hidden) {
        schedule();
        return;
      }
      window
        .fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store" })
        .then(function (response) {
          // A redirect means the session ended (sign-in page): stop rather than show it.
          if (response.redirected) {
            throw new Error("signed out");
          }
          if (!response.ok) {
            throw new Error("status " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          delay = every;
          if (html !== last) {
            last = html;
            region.innerHTML = html;
            hideRefreshLinks(region);
          }
          if (!region.querySelector("[data-live-final]")) {
            schedule();
          }
        })
        .catch(function (err) {
          if (err && err.message === "signed out") {
            return;
          }
          delay = Math.min(delay * 2, 60000);
          schedule();
        });
    }

    hideRefreshLinks(region);
    if (!region.querySelector("[data-live-final]")) {
      schedule();
    }
  }

  var regions = document.querySelectorAll("[data-live]");
  for (var i = 0; i < regions.length; i++) {
    follow(regions[i]);
  }
})();
