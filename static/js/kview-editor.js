// The KView editor: CodeMirror (vendored, see static/vendor/README.md) over the template's
// textarea, Jinja highlighting, and a preview rendered by the server as the admin types
// (debounced); an error marks its line in the editor. Without JavaScript the textarea stays.
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching } from "@codemirror/language";
import { jinja2 } from "@codemirror/legacy-modes/mode/jinja2";
import { setDiagnostics, lintGutter } from "@codemirror/lint";

const DEBOUNCE_MS = 400;

function start(form) {
  const textarea = form.querySelector("#id_template");
  const preview = form.querySelector("#kview-preview");
  const errorBox = form.querySelector("#kview-error");
  const state = form.querySelector("#kview-preview-state");
  let timer = null;
  let sent = 0;

  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        lintGutter(),
        StreamLanguage.define(jinja2),
        syntaxHighlighting(defaultHighlightStyle),
        // no Tab capture: Tab leaves the editor, as everywhere else on the page
        keymap.of([...defaultKeymap, ...historyKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": "Template", "aria-describedby": "id_template_helptext" }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          textarea.value = update.state.doc.toString();
          schedule();
        }),
      ],
    }),
  });
  textarea.hidden = true;
  textarea.insertAdjacentElement("afterend", view.dom);
  view.dom.dataset.editor = "kview";
  // the label still leads to the editor
  const label = form.querySelector('label[for="id_template"]');
  if (label) label.addEventListener("click", () => view.focus());

  function mark(line, message) {
    if (!line || line > view.state.doc.lines) {
      view.dispatch(setDiagnostics(view.state, []));
      return;
    }
    const at = view.state.doc.line(line);
    view.dispatch(setDiagnostics(view.state, [{ from: at.from, to: at.to, severity: "error", message }]));
  }

  function kind() {
    const checked = form.querySelector("[name=kind]:checked");
    return checked ? checked.value : "template";
  }

  function showKind() {
    form.querySelectorAll("[data-kind-block]").forEach((block) => {
      block.hidden = block.dataset.kindBlock !== kind();
    });
  }

  async function refresh() {
    const ticket = ++sent;
    state.textContent = "Rendering…";
    const body = new FormData(form);
    body.set("template", view.state.doc.toString());
    let answer;
    try {
      const response = await fetch(form.dataset.previewUrl, { method: "POST", body, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      answer = await response.json();
    } catch (err) {
      if (ticket === sent) state.textContent = "Preview unavailable; try again.";
      return;
    }
    if (ticket !== sent) return; // an older answer arriving late
    state.textContent = "";
    if (answer.error) {
      errorBox.hidden = false;
      errorBox.textContent = answer.line ? `Line ${answer.line}: ${answer.error.replace(/^line \d+: /, "")}` : answer.error;
      mark(kind() === "template" ? answer.line : null, answer.error);
      return;
    }
    errorBox.hidden = true;
    errorBox.textContent = "";
    mark(null);
    // rendered and cleaned by the server exactly as the desk shows it
    preview.innerHTML = answer.html || '<p class="muted small">The template writes nothing for this record.</p>';
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "kind") showKind();
    schedule();
  });
  form.addEventListener("input", (event) => {
    if (event.target.name === "url_template") schedule();
  });
  // htmx swapped in the records of another object type: preview with the first
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id === "id_sample") schedule();
  });
  // the variables panel is redrawn by htmx when the object changes: listen on the form
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-insert]");
    if (!button) return;
    const text = `{{ ${button.dataset.insert} }}`;
    const { from, to } = view.state.selection.main;
    view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length } });
    view.focus();
  });
  showKind();
  // a new KView waits for its object before previewing anything
  if (form.querySelector("[name=resource]").value) refresh();
}

document.querySelectorAll("[data-kview-form]").forEach(start);
