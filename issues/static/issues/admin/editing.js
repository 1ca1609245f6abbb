// An issue's change form: a warning before leaving it with unsaved changes, and
// autosave. The form is sent to the autosave URL every few seconds (the page's
// data-autosave-seconds) while it differs from what was last sent, and when the
// tab is hidden or closed; the server saves it or keeps it aside, and never
// writes over someone else's save (issues/admin/autosave.py). Without this
// script the page works as before: nothing here is needed to save.
(() => {
  "use strict";
  const config = document.getElementById("issue-editing");
  const form = document.getElementById("issue_form");
  if (!config || !form) return;

  const url = config.dataset.autosaveUrl;
  const seconds = Number(config.dataset.autosaveSeconds) || 30;
  const keepOnly = config.dataset.autosaveMode === "keep";
  const status = document.getElementById("autosave-status");
  // Not the form's content: the token, a button's move and its time.
  const skipped = new Set(["csrfmiddlewaretoken", "transition", "publish_at"]);
  // Beacons and keepalive requests may carry at most 64 kB.
  const KEEPALIVE_LIMIT = 60000;

  const say = (message) => {
    if (status) status.textContent = message;
  };
  if (status) say(status.dataset.idle || "");

  // The form's content as name/value pairs, files included.
  const entries = () =>
    [...new FormData(form).entries()].filter(([name]) => !skipped.has(name));
  // The same as text to compare: a chosen file by its name, and without the
  // version the page carries.
  const fingerprint = (pairs) =>
    JSON.stringify(
      pairs
        .filter(([name]) => name !== "loaded_version")
        .map(([name, value]) => [name, value instanceof File ? `file:${value.name}` : value]),
    );

  // What the server holds (null: the page shows text it does not, such as a
  // refused save shown again) and what autosave sent last. Taken once the
  // page and its editors are loaded.
  let held = null;
  let sent = null;
  let submitting = false;
  let inFlight = null;
  window.addEventListener("load", () => {
    if (config.dataset.unsaved !== "1") held = fingerprint(entries());
    sent = held;
  });

  const unsaved = () => fingerprint(entries()) !== held;

  const handle = (result, sentPrint) => {
    if (result.status === "saved") {
      const version = form.elements.namedItem("loaded_version");
      if (version && result.version) version.value = String(result.version);
      held = sentPrint;
    } else if (result.status === "unchanged") {
      held = sentPrint;
    }
    if (result.message) say(result.message);
  };

  const autosave = (leaving) => {
    if (submitting || (inFlight && !leaving)) return inFlight;
    const pairs = entries();
    const print = fingerprint(pairs);
    if (print === sent) return inFlight;
    // Files go with a real save only: autosave keeps the text.
    const body = new URLSearchParams(pairs.filter(([, value]) => !(value instanceof File)));
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    if (keepOnly) body.append("autosave_mode", "keep");
    const text = body.toString();
    sent = print;
    const request = fetch(url, {
      method: "POST",
      body: text,
      credentials: "same-origin",
      keepalive: leaving && text.length < KEEPALIVE_LIMIT,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        Accept: "application/json",
        "X-Requested-With": "XMLHttpRequest",
      },
    })
      .then((response) => response.json())
      .then((result) => handle(result, print))
      .catch(() => {
        sent = null;
        say("Not autosaved: the server did not answer. Your text is still in this page.");
      })
      .finally(() => {
        if (inFlight === request) inFlight = null;
      });
    inFlight = request;
    return request;
  };

  // A save waits for an autosave on its way, then carries the version it made,
  // so the two never look like two people's saves.
  form.addEventListener("submit", (event) => {
    if (inFlight && !submitting) {
      event.preventDefault();
      const submitter = event.submitter;
      inFlight.finally(() => {
        submitting = true;
        form.requestSubmit(submitter || undefined);
      });
      return;
    }
    submitting = true;
  });

  window.addEventListener("beforeunload", (event) => {
    if (submitting || !unsaved()) return;
    event.preventDefault();
    event.returnValue = "";
  });

  setInterval(() => autosave(false), seconds * 1000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") autosave(true);
  });
  window.addEventListener("pagehide", () => autosave(true));
})();
