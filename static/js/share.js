/*
 * "Copy link" for the share links (templates/includes/share.html).
 * The links work without this file; where the browser lets a page write to
 * the clipboard, each list gains a button that copies the page's address.
 */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) return;

  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);

  document.querySelectorAll("[data-share-url]").forEach(function (list) {
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "share-copy";
    button.textContent = "Copy link";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(list.getAttribute("data-share-url")).then(
        function () {
          button.textContent = "Link copied";
          status.textContent = "Link copied to the clipboard.";
          window.setTimeout(function () {
            button.textContent = "Copy link";
            status.textContent = "";
          }, 3000);
        },
        function () {
          status.textContent = "Could not copy the link; copy it from the address bar.";
        }
      );
    });
    item.appendChild(button);
    list.appendChild(item);
  });
})();
