// Reordering an issue's stories, reads and bylines on its change form, with
// the mouse or the keyboard.
//
// Each row of an inline with a position field gets a handle and "Move up" and
// "Move down" buttons. With the mouse, drag the handle. With the keyboard,
// focus the handle, press Space or Enter to pick the row up, the arrow keys
// to move it, Space or Enter to drop it, Escape to put it back. Every move is
// said in a live region, and written to the rows' position fields, so the
// form's own save (the Save button, a workflow button, autosave) stores the
// order. Without this script the position fields are there to type in.
(() => {
  "use strict";
  const form = document.getElementById("issue_form");
  if (!form) return;

  const NOUNS = { stories: "story", reads: "read", bylines: "byline" };
  const INSTRUCTIONS_ID = "reorder-instructions";

  // The inline groups whose rows have a position field.
  const groups = () =>
    [...form.querySelectorAll(".js-inline-admin-formset")].filter((group) =>
      group.querySelector("input[name$='-position']"),
    );
  const prefixOf = (group) => group.id.replace(/-group$/, "");
  const noun = (group) => NOUNS[prefixOf(group)] || "row";
  // The group's rows in the order shown, without the template of new rows.
  const rowsOf = (group) =>
    [...group.querySelectorAll(`[id^='${prefixOf(group)}-']`)].filter(
      (row) =>
        /-\d+$/.test(row.id) &&
        (row.classList.contains("inline-related") || row.tagName === "TR") &&
        !row.classList.contains("empty-form"),
    );
  const positionField = (row) => row.querySelector("input[name$='-position']");
  const groupOf = (row) => row.closest(".js-inline-admin-formset");
  const indexOf = (row) => Number(row.id.replace(/^.*-/, ""));

  // What a row is called when a move is announced.
  const nameOf = (row) => {
    const headline = row.querySelector("input[name$='-headline']");
    if (headline && headline.value.trim()) return `“${headline.value.trim()}”`;
    const pick = row.querySelector("select[name$='-source'], select[name$='-contributor']");
    const chosen = pick && pick.selectedOptions[0];
    const summary = row.querySelector("[name$='-summary']");
    const words = [chosen && chosen.value ? chosen.textContent.trim() : "",
      summary ? summary.value.trim().slice(0, 60) : ""].filter(Boolean).join(": ");
    if (words) return `“${words}”`;
    return `the new ${noun(groupOf(row))}`;
  };

  // A live region for what was done, and the instructions the handles point to.
  const status = document.createElement("div");
  status.className = "reorder-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "assertive");
  const instructions = document.createElement("p");
  instructions.id = INSTRUCTIONS_ID;
  instructions.className = "reorder-instructions";
  instructions.textContent =
    "Drag with the mouse, or press Space or Enter to pick it up, the arrow keys " +
    "to move it, Space or Enter to drop it and Escape to cancel. Saving keeps the order.";
  form.append(status, instructions);
  const say = (message) => {
    // The same words twice are still read out.
    status.textContent = status.textContent === message ? `${message}\u00a0` : message;
  };
  const where = (row) => {
    const rows = rowsOf(groupOf(row));
    return `position ${rows.indexOf(row) + 1} of ${rows.length}`;
  };

  // The tools of one row: in a stacked story's heading, in a table's position cell.
  const button = (className, label, text) => {
    const element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = text;
    element.title = label;
    element.setAttribute("aria-label", label);
    return element;
  };
  const addTools = (row) => {
    if (row.querySelector(".reorder-tools")) return;
    const tools = document.createElement("span");
    tools.className = "reorder-tools";
    const handle = button("reorder-handle", "Reorder", "⠿");
    handle.setAttribute("aria-describedby", INSTRUCTIONS_ID);
    handle.setAttribute("aria-pressed", "false");
    tools.append(handle, button("reorder-up", "Move up", "↑"), button("reorder-down", "Move down", "↓"));
    const heading = row.querySelector(":scope > h3");
    const cell = row.querySelector(":scope > td.field-position");
    if (heading) heading.prepend(tools);
    else if (cell) cell.prepend(tools);
    else return;
    row.classList.add("reorderable");
  };
  // Labels name the row as it is now (its headline may have been typed since).
  const label = (element) => {
    const row = element.closest(".reorderable");
    const what = row ? nameOf(row) : "";
    const verb = element.classList.contains("reorder-up")
      ? "Move up"
      : element.classList.contains("reorder-down")
        ? "Move down"
        : "Reorder";
    element.setAttribute("aria-label", `${verb} ${what}`.trim());
  };

  // A table row carries the row of its errors, just above it.
  const unitOf = (row) => {
    const before = row.previousElementSibling;
    return before && before.classList.contains("row-form-errors") ? [before, row] : [row];
  };
  const placeBefore = (row, reference) => {
    const parent = row.parentNode;
    for (const part of unitOf(row)) parent.insertBefore(part, reference);
  };
  // Moving a row out of the document and back takes the focus away: give it back.
  let moving = false;
  const keepingFocus = (change) => {
    const focused = document.activeElement;
    moving = true;
    try {
      change();
    } finally {
      moving = false;
    }
    if (focused && focused !== document.activeElement) focused.focus({ preventScroll: false });
  };
  // Put `row` at `to` (0-based) among its group's rows.
  const moveTo = (row, to) => {
    const rows = rowsOf(groupOf(row)).filter((other) => other !== row);
    keepingFocus(() => {
      if (to < rows.length) placeBefore(row, unitOf(rows[to])[0]);
      else placeBefore(row, rows[rows.length - 1].nextElementSibling);
    });
  };

  // The order shown, written to the position fields. The numbers the rows had
  // are kept and handed out again in the new order, so only the rows that moved
  // change; if they do not tell an order (two the same), 1, 2, 3…
  const writePositions = (group) => {
    const fields = rowsOf(group).map(positionField).filter(Boolean);
    const numbers = fields.map((field) => Number(field.value));
    const sorted = [...numbers].sort((a, b) => a - b);
    const usable =
      sorted.every((n, i) => Number.isInteger(n) && n >= 0 && (i === 0 || n > sorted[i - 1])) &&
      fields.every((field) => field.value.trim() !== "");
    fields.forEach((field, i) => {
      const value = String(usable ? sorted[i] : i + 1);
      if (field.value !== value) {
        field.value = value;
        field.dispatchEvent(new Event("input", { bubbles: true }));
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  };
  // A number typed into a position field puts its row there.
  const sortByPositions = (group) => {
    const rows = rowsOf(group);
    const value = (row) => {
      const field = positionField(row);
      const n = field && field.value.trim() !== "" ? Number(field.value) : NaN;
      return Number.isFinite(n) ? n : Infinity;
    };
    const sorted = [...rows].sort((a, b) => value(a) - value(b));
    if (sorted.every((row, i) => row === rows[i])) return;
    const after = rows[rows.length - 1].nextElementSibling;
    keepingFocus(() => sorted.forEach((row) => placeBefore(row, after)));
  };

  const step = (row, by) => {
    const rows = rowsOf(groupOf(row));
    const at = rows.indexOf(row);
    const to = at + by;
    if (to < 0 || to >= rows.length) {
      say(`${nameOf(row)} is already ${by < 0 ? "first" : "last"}.`);
      return false;
    }
    moveTo(row, to);
    writePositions(groupOf(row));
    return true;
  };

  // Keyboard: pick up, move, drop, cancel.
  let held = null; // { row, handle, from, positions }
  const remember = (row) => ({
    row,
    from: rowsOf(groupOf(row)).indexOf(row),
    positions: rowsOf(groupOf(row)).map((other) => [other, positionField(other)?.value]),
  });
  const putBack = (state) => {
    const group = groupOf(state.row);
    const after = rowsOf(group).at(-1).nextElementSibling;
    keepingFocus(() => state.positions.forEach(([other]) => placeBefore(other, after)));
    for (const [other, value] of state.positions) {
      const field = positionField(other);
      if (field && value !== undefined) field.value = value;
    }
  };
  const pickUp = (handle) => {
    const row = handle.closest(".reorderable");
    held = { ...remember(row), handle };
    row.classList.add("reorder-held");
    handle.setAttribute("aria-pressed", "true");
    say(`Picked up ${nameOf(row)}, ${where(row)}. Arrow keys move it, Space or Enter drops it, Escape cancels.`);
  };
  const drop = (cancel) => {
    if (!held) return;
    const { row, handle } = held;
    if (cancel) {
      putBack(held);
      say(`Cancelled. ${nameOf(row)} is back at ${where(row)}.`);
    } else {
      say(`Dropped ${nameOf(row)} at ${where(row)}. Save to keep the new order.`);
    }
    row.classList.remove("reorder-held");
    handle.setAttribute("aria-pressed", "false");
    held = null;
  };

  document.addEventListener("keydown", (event) => {
    const handle = event.target.closest && event.target.closest(".reorder-handle");
    if (!handle) return;
    const key = event.key;
    if (key === " " || key === "Enter") {
      event.preventDefault();
      if (held && held.handle === handle) drop(false);
      else {
        drop(false);
        pickUp(handle);
      }
    } else if (held && held.handle === handle && (key === "ArrowUp" || key === "ArrowDown")) {
      event.preventDefault();
      if (step(held.row, key === "ArrowUp" ? -1 : 1)) say(`${nameOf(held.row)} moved to ${where(held.row)}.`);
    } else if (held && held.handle === handle && (key === "Home" || key === "End")) {
      event.preventDefault();
      moveTo(held.row, key === "Home" ? 0 : rowsOf(groupOf(held.row)).length - 1);
      writePositions(groupOf(held.row));
      say(`${nameOf(held.row)} moved to ${where(held.row)}.`);
    } else if (key === "Escape" && held && held.handle === handle) {
      event.preventDefault();
      drop(true);
    }
  });
  // The handle's click (Enter, Space, or a mouse click without a drag) is the keydown's.
  document.addEventListener("click", (event) => {
    const target = event.target.closest && event.target.closest(".reorder-tools button");
    if (!target) return;
    event.preventDefault();
    if (target.classList.contains("reorder-handle")) return;
    const row = target.closest(".reorderable");
    const by = target.classList.contains("reorder-up") ? -1 : 1;
    if (step(row, by)) say(`${nameOf(row)} moved to ${where(row)}. Save to keep the new order.`);
    label(target);
  });
  document.addEventListener("focusin", (event) => {
    if (event.target.closest && event.target.closest(".reorder-tools")) label(event.target);
  });
  document.addEventListener("focusout", (event) => {
    if (!moving && held && event.target === held.handle) drop(false);
  });

  // Mouse (and touch, and pen): drag the handle; the row follows the pointer.
  let dragging = null; // { row, pointerId, state, moved }
  document.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest && event.target.closest(".reorder-handle");
    if (!handle || event.button !== 0) return;
    event.preventDefault();
    drop(false);
    const row = handle.closest(".reorderable");
    dragging = { row, handle, pointerId: event.pointerId, state: remember(row), moved: false };
    handle.setPointerCapture(event.pointerId);
    row.classList.add("reorder-dragging");
    document.documentElement.classList.add("reorder-in-progress");
  });
  document.addEventListener("pointermove", (event) => {
    if (!dragging || event.pointerId !== dragging.pointerId) return;
    const { row } = dragging;
    const others = rowsOf(groupOf(row)).filter((other) => other !== row);
    // Before the first row whose middle is below the pointer.
    let to = others.findIndex((other) => {
      const box = other.getBoundingClientRect();
      return event.clientY < box.top + box.height / 2;
    });
    if (to === -1) to = others.length;
    if (to !== rowsOf(groupOf(row)).indexOf(row)) {
      moveTo(row, to);
      dragging.moved = true;
    }
    // Near the window's edges, scroll: stories are tall.
    const edge = 48;
    if (event.clientY < edge) window.scrollBy(0, -24);
    else if (event.clientY > window.innerHeight - edge) window.scrollBy(0, 24);
  });
  const endDrag = (cancel) => {
    if (!dragging) return;
    const { row, state, moved } = dragging;
    row.classList.remove("reorder-dragging");
    document.documentElement.classList.remove("reorder-in-progress");
    dragging = null;
    if (cancel) {
      putBack(state);
      say(`Cancelled. ${nameOf(row)} is back at ${where(row)}.`);
    } else if (moved && rowsOf(groupOf(row)).indexOf(row) !== state.from) {
      writePositions(groupOf(row));
      say(`Dropped ${nameOf(row)} at ${where(row)}. Save to keep the new order.`);
    } else if (moved) {
      putBack(state);
    }
  };
  document.addEventListener("pointerup", (event) => {
    if (dragging && event.pointerId === dragging.pointerId) endDrag(false);
  });
  document.addEventListener("pointercancel", (event) => {
    if (dragging && event.pointerId === dragging.pointerId) endDrag(true);
  });
  document.addEventListener("keydown", (event) => {
    if (dragging && event.key === "Escape") {
      event.preventDefault();
      endDrag(true);
    }
  });

  // A number typed in a position field moves its row once the field is left.
  form.addEventListener("change", (event) => {
    const field = event.target;
    if (!event.isTrusted || !field.matches || !field.matches("input[name$='-position']")) return;
    const group = groupOf(field);
    if (group) sortByPositions(group);
  });

  // Django renames the rows of a formset by their order on the page when an
  // added row is removed: the rows go back to the order of their names first,
  // then to the order shown.
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest("a.inline-deletelink");
      const group = link && groupOf(link);
      if (!group || !group.querySelector(".reorderable")) return;
      const shown = rowsOf(group);
      const byName = [...shown].sort((a, b) => indexOf(a) - indexOf(b));
      const after = shown[shown.length - 1].nextElementSibling;
      byName.forEach((row) => placeBefore(row, after));
      window.setTimeout(() => {
        const left = shown.filter((row) => row.isConnected);
        if (!left.length) return;
        const end = rowsOf(group).at(-1).nextElementSibling;
        left.forEach((row) => placeBefore(row, end));
      }, 0);
    },
    true,
  );

  // A form shown again (refused, or with errors) has its rows in the order
  // they were sent, not the order typed: they are put in the order typed.
  const start = () => {
    for (const group of groups()) {
      group.classList.add("reorder-group");
      for (const row of group.querySelectorAll(".inline-related, tr.form-row")) addTools(row);
      if (rowsOf(group).length) sortByPositions(group);
    }
  };
  // New rows are copies of the template, which has its tools already.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
