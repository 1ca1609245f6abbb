// The admin's navigation sidebar starts closed on screens narrower than
// 1500 px, where the issue list and change page need the width. Django's own
// script (which runs after this one) opens and closes it, and remembers it.
(() => {
  "use strict";
  const key = "django.admin.navSidebarIsOpen";
  try {
    if (localStorage.getItem(key) === null && window.innerWidth < 1500) {
      localStorage.setItem(key, "false");
    }
  } catch (error) {
    // No storage (a private window, say): Django's default applies.
  }
})();
