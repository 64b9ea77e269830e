// cyberbcp edit: the page's behaviour. Every change the user makes is kept as
// an edit (set / add / remove / move, by key path) and sent on 保存; the server
// applies them to the TOML, checks the result as `check` does and writes it.
"use strict";
(function () {
  // The token is in a cookie now: keep it out of the address bar and history.
  if (location.search.indexOf("token=") >= 0) history.replaceState(null, "", "/");
  var body = document.body;
  var version = body.dataset.version;
  var edits = [];
  var $ = function (id) { return document.getElementById(id); };
  var statusEl = $("status");

  function say(text) { if (statusEl) statusEl.textContent = text; else if (text) banner(text); }
  function banner(text) {
    var b = $("banner");
    b.textContent = text || "";
    b.hidden = !text;
  }
  function post(path, payload, raw) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": raw ? "application/octet-stream" : "application/json" },
      body: raw ? payload : JSON.stringify(payload),
      credentials: "same-origin"
    });
  }

  // Starter choice (no plan file yet).
  document.querySelectorAll("[data-kind]").forEach(function (b) {
    b.addEventListener("click", function () {
      post("/init", { kind: b.dataset.kind }).then(function (r) {
        if (r.ok) location.reload(); else r.text().then(say);
      });
    });
  });
  var fields = $("fields");
  if (!fields) return;

  function valueOf(el) {
    if (el.type === "checkbox") return el.checked;
    if (el.multiple) return Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
    if (el.classList.contains("lines")) return el.value.split("\n");
    return el.value;
  }
  fields.addEventListener("change", function (e) {
    var el = e.target;
    if (el.classList.contains("upload")) return upload(el);
    if (!el.name) return;
    edits.push({ set: { path: el.name, value: valueOf(el) } });
    el.classList.add("changed");
    say("未保存の変更があります");
  });

  // Rows: add from the <template>, remove, move; the names of the rows
  // after the change are renumbered so later edits name the right row.
  function renumber(tbody, base) {
    Array.prototype.forEach.call(tbody.rows, function (row, i) {
      var old = row.dataset.path, now = base + "[" + i + "]";
      if (old === now) return;
      row.dataset.path = now;
      row.querySelector("th.n").textContent = i + 1;
      row.querySelectorAll("[name],[id],[data-key],[data-for]").forEach(function (el) {
        ["name", "id", "data-key", "data-for"].forEach(function (a) {
          var v = el.getAttribute(a);
          if (v && v.indexOf(old) >= 0) el.setAttribute(a, v.split(old).join(now));
        });
      });
    });
  }
  fields.addEventListener("click", function (e) {
    var b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.add) {
      var set = b.closest("fieldset");
      var tbody = set.querySelector("tbody");
      var n = tbody.rows.length;
      var html = set.querySelector("template").innerHTML.split(b.dataset.add + "[__i__]").join(b.dataset.add + "[" + n + "]");
      tbody.insertAdjacentHTML("beforeend", html);
      tbody.rows[n].querySelector("th.n").textContent = n + 1;
      edits.push({ add: { path: b.dataset.add } });
      say("未保存の変更があります");
      var first = tbody.rows[n].querySelector("input,select,textarea");
      if (first) first.focus();
      return;
    }
    var op = b.dataset.op;
    if (!op) return;
    var row = b.closest("tr");
    var body = row.parentNode;
    var base = body.closest("fieldset").dataset.rows;
    var i = Array.prototype.indexOf.call(body.rows, row);
    if (op === "remove") {
      edits.push({ remove: { path: row.dataset.path } });
      row.remove();
    } else {
      var to = op === "up" ? i - 1 : i + 1;
      if (to < 0 || to >= body.rows.length) return;
      edits.push({ move: { path: row.dataset.path, to: to } });
      if (op === "up") body.insertBefore(row, body.rows[to]); else body.insertBefore(body.rows[to], row);
    }
    renumber(body, base);
    say("未保存の変更があります");
  });

  function show(state) {
    version = state.version;
    // The statuses first: they are what a save is waited for.
    $("verdicts").innerHTML = state.verdicts;
    $("summary").textContent = state.summary;
    fields.innerHTML = state.form;
  }
  function clearRefusals() {
    document.querySelectorAll(".note.refused").forEach(function (n) { n.remove(); });
  }
  function refuse(errors) {
    clearRefusals();
    var lines = [];
    errors.forEach(function (err) {
      var text = err.message + (err.hints || []).map(function (h) { return "（" + h + "）"; }).join("");
      lines.push((err.key ? err.key + ": " : "") + text);
      var key = err.key || "";
      var el = null;
      while (key && !(el = document.querySelector('[data-key="' + CSS.escape(key) + '"]'))) {
        var at = Math.max(key.lastIndexOf("."), key.lastIndexOf("["));
        key = at > 0 ? key.slice(0, at) : "";
      }
      if (el) {
        var p = document.createElement("p");
        p.className = "note refused";
        p.textContent = text;
        el.appendChild(p);
      }
    });
    banner("保存していません（ファイルは前のままです）: " + lines.join(" / "));
    var first = document.querySelector(".note.refused");
    if (first) first.scrollIntoView({ block: "center" });
  }

  function save() {
    say("保存しています…");
    var sent = edits.length;
    post("/save", { version: version, edits: edits }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).then(function (res) {
      if (res.status === 200) {
        edits = edits.slice(sent);
        clearRefusals();
        banner("");
        show(res.data);
        say("保存しました（" + new Date().toLocaleTimeString("ja-JP") + "）");
        refreshPreview();
      } else if (res.status === 409) {
        // Nothing was written. The new file comes back with this page's
        // edits laid on where the other change left them alone (marked
        // 未保存), and the ones that clash listed with both values.
        edits = res.data.edits || [];
        clearRefusals();
        show(res.data);
        var clashes = (res.data.conflicts || []).map(function (c) {
          return c.path + "（ほかの変更:「" + c.theirs + "」／この画面:「" + c.mine + "」）";
        });
        banner("ファイルがほかで変更されていたため、読み込み直しました（どちらの変更も上書きしていません）。" +
          (edits.length ? "この画面の変更は新しい内容に重ねて、黄色の欄に「未保存」として残しています。確かめてから「保存」を押してください。" : "") +
          (clashes.length ? "ほかの変更と同じ欄だったため入れていない入力: " + clashes.join(" / ") : ""));
        say(edits.length ? "未保存の変更があります" : "");
        var first = document.querySelector(".conflict, .unsaved");
        if (first) first.scrollIntoView({ block: "center" });
      } else {
        refuse(res.data.errors || []);
        say("保存できませんでした");
      }
    }).catch(function () { say("保存できませんでした（cyberbcp edit が終了していませんか）"); });
  }
  $("save").addEventListener("click", save);
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); save(); }
  });

  // A key a hint names: its field (or the nearest group the form has).
  function goto(path) {
    var el = null, key = path;
    while (key && !(el = document.querySelector('[name="' + CSS.escape(key) + '"]') || document.querySelector('[data-key="' + CSS.escape(key) + '"]'))) {
      var at = Math.max(key.lastIndexOf("."), key.lastIndexOf("["));
      key = at > 0 ? key.slice(0, at) : "";
    }
    if (!el) return false;
    el.scrollIntoView({ block: "center" });
    var box = el.closest(".field, td, fieldset") || el;
    box.classList.remove("flash"); void box.offsetWidth; box.classList.add("flash");
    var control = el.matches("input,select,textarea") ? el : el.querySelector("input,select,textarea,button.add");
    if (control) control.focus({ preventScroll: true });
    return true;
  }

  // 確認表: clicking an item jumps to the section that answers it.
  $("verdicts").addEventListener("click", function (e) {
    var link = e.target.closest("a.key");
    if (link) {
      e.preventDefault();
      if (goto(link.dataset.goto)) return;
    }
    var item = e.target.closest("[data-item]");
    if (!item) return;
    var ids = item.dataset.sections.split(" ");
    for (var k = 0; k < ids.length; k++) {
      var id = ids[k], target = null;
      while (id && !(target = document.getElementById("sec-" + id))) id = id.replace(/\.?[^.]*$/, "");
      if (target) {
        target.scrollIntoView({ block: "start" });
        target.classList.remove("flash"); void target.offsetWidth; target.classList.add("flash");
        var first = target.querySelector("input,select,textarea");
        if (first) first.focus({ preventScroll: true });
        return;
      }
    }
  });
  $("verdicts").addEventListener("keydown", function (e) {
    if (e.key === "Enter") e.target.click();
  });

  // Uploads: the file goes into the plan's folder, its name into the field.
  function upload(input) {
    var file = input.files[0];
    if (!file) return;
    say(file.name + " を入れています…");
    post("/upload?name=" + encodeURIComponent(file.name), file, true).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { input.value = ""; banner(t); say(""); });
      return r.json().then(function (data) {
        var field = document.getElementsByName(input.dataset.for)[0];
        field.value = data.name;
        field.classList.add("changed");
        edits.push({ set: { path: field.name, value: data.name } });
        banner("");
        say((data.name === file.name ? data.name : "同じ名前の別のファイルがあったため " + data.name) +
          " としてフォルダに入れました。「保存」すると計画から参照します");
      });
    });
  }

  // The printed plan.
  function refreshPreview() {
    var box = $("preview-box"), frame = $("preview");
    if (box.open) frame.src = frame.dataset.src + "?v=" + encodeURIComponent(version);
  }
  $("preview-box").addEventListener("toggle", refreshPreview);
  $("build").addEventListener("click", function () {
    var also = Array.prototype.filter.call(document.querySelectorAll("input[name=also]"), function (c) { return c.checked; }).map(function (c) { return c.value; });
    $("built").textContent = "PDF を作っています…";
    post("/build", { also: also }).then(function (r) { return r.json(); }).then(function (data) {
      var out = $("built");
      out.textContent = "";
      if (data.message) { out.textContent = "作れませんでした: " + data.message; return; }
      var p = document.createElement("p");
      p.textContent = "書き出しました（" + data.summary + "）:";
      out.appendChild(p);
      var ul = document.createElement("ul");
      data.files.forEach(function (f) {
        var li = document.createElement("li");
        li.className = "built-file";
        li.textContent = f.path + (f.pages ? "（" + f.pages + " ページ）" : "");
        ul.appendChild(li);
      });
      out.appendChild(ul);
    });
  });

  // Outside edits (another editor, git pull): reload when nothing is unsaved.
  // The polling also tells the server a page is still open.
  setInterval(function () {
    fetch("/state?known=" + encodeURIComponent(version), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
      if (s.same || s.version === version) return;
      if (edits.length === 0) {
        show(s);
        banner("ファイルがほかで変更されたため、読み込み直しました");
      } else {
        banner("ファイルがほかで変更されました。「保存」を押すと、まず新しい内容を読み込んでこの画面の変更を重ねて見せます（その時点ではまだ書き込みません）");
      }
    }).catch(function () {});
  }, 3000);
  window.addEventListener("pagehide", function () { navigator.sendBeacon("/bye"); });
  window.addEventListener("beforeunload", function (e) {
    if (edits.length) { e.preventDefault(); e.returnValue = ""; }
  });
})();
