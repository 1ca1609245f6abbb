// A story's optional parts (why it matters, more information, tags) are
// folded away on the change form; they open on a story that has any of them,
// or an error, so nothing written is hidden.
(() => {
  "use strict";
  const used = (details) =>
    [...details.querySelectorAll("textarea, input[type=text]")].some(
      (field) => field.value.trim() !== "",
    );
  for (const details of document.querySelectorAll("fieldset.story-optional details")) {
    if (used(details) || details.querySelector(".errorlist")) details.open = true;
  }
})();

// The source pickers (Django's autocomplete, Select2): Enter picks from the
// results for what was typed, never from those still shown for the letters
// before. Pressed while the search is on its way, it waits for the answer,
// then picks the first of it, as it would have.
(() => {
  "use strict";
  const $ = window.django && window.django.jQuery;
  if (!$) return;
  let open = null; // the <select> whose picker is open
  let answered = null; // the term the results shown are for
  let waiting = false; // Enter was pressed before they came
  $(document).on("select2:open", (event) => {
    open = event.target;
    answered = null;
    waiting = false;
  });
  $(document).on("select2:close", () => {
    open = null;
    waiting = false;
  });
  const searchField = () =>
    document.querySelector(".select2-container--open .select2-search__field");
  const pick = () => {
    const picker = open && $(open).data("select2");
    if (picker) picker.trigger("results:select", {});
  };
  $(document).ajaxComplete((event, xhr, settings) => {
    const url = new URL(settings.url, window.location.href);
    if (!url.pathname.endsWith("/autocomplete/")) return;
    answered = url.searchParams.get("term") || "";
    const field = searchField();
    if (waiting && field && field.value === answered) {
      waiting = false;
      // After Select2 shows the answer (jQuery runs its handlers in a
      // task of their own, queued before this one).
      window.setTimeout(pick, 0);
    }
  });
  document.addEventListener(
    "keydown",
    (event) => {
      const field = event.target;
      if (event.key !== "Enter" || !field.classList || !field.classList.contains("select2-search__field")) return;
      if (answered !== null && field.value === answered) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      waiting = true;
    },
    true,
  );
})();
