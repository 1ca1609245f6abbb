// Line numbers beside a text box marked data-line-numbers (the report to
// import), so the lines the import names can be found. With
// data-error-line on its wrapper, that line is selected and scrolled to.
(() => {
  "use strict";
  for (const box of document.querySelectorAll("textarea[data-line-numbers]")) {
    const frame = document.createElement("div");
    frame.className = "numbered-text";
    const gutter = document.createElement("pre");
    gutter.className = "line-gutter";
    gutter.setAttribute("aria-hidden", "true");
    box.before(frame);
    frame.append(gutter, box);
    const number = () => {
      const count = box.value.split("\n").length;
      gutter.textContent = Array.from({ length: count }, (_, i) => i + 1).join("\n");
      gutter.scrollTop = box.scrollTop;
    };
    box.addEventListener("input", number);
    box.addEventListener("scroll", () => {
      gutter.scrollTop = box.scrollTop;
    });
    number();
    const wrapper = frame.closest("[data-error-line]");
    const line = wrapper && Number(wrapper.dataset.errorLine);
    if (line) {
      const lines = box.value.split("\n");
      const start = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
      box.focus();
      box.setSelectionRange(start, start + (lines[line - 1] || "").length);
      const height = box.scrollHeight / Math.max(lines.length, 1);
      box.scrollTop = Math.max(0, (line - 3) * height);
      gutter.scrollTop = box.scrollTop;
    }
  }
})();
