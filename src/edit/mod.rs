//! `cyberbcp edit`: the plan as a form in the browser. The page is made from
//! the schema (`form`), saved into the same TOML with `toml_edit` (`apply`),
//! judged with the same code as `check`, and printed with the same pipeline
//! (and the same incremental World) as `watch`. `server` guards the door.

pub mod apply;
pub mod form;
pub mod printer;
pub mod rebase;
pub mod server;

use std::collections::{BTreeMap, VecDeque};
use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::Instant;

use serde::Deserialize;
use serde_json::{Value as Json, json};

use crate::coverage::Report;
use crate::diag::{Diagnostic, InputErrors, Severity};
use crate::model::{Date, Kind, devices, limits};
use crate::pipeline::{self, Prepared};
use form::{Note, esc};
use printer::Printer;

const PAGE: &str = include_str!("assets/page.html");
const SCRIPT: &str = include_str!("assets/edit.js");
const STYLE: &str = include_str!("assets/edit.css");

/// A request that passed the server's checks.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub host: String,
    pub origin: Option<String>,
    pub cookie: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn text(status: u16, text: &str) -> Self {
        Self::new(status, "text/plain; charset=utf-8", text)
    }

    fn json(status: u16, value: &Json) -> Self {
        Self::new(status, "application/json; charset=utf-8", value.to_string())
    }
}

/// What the editor answers: now, or when the printer thread has made the PDF
/// (the server waits for it on another thread and keeps serving saves).
pub enum Reply {
    Now(Response),
    Later(Receiver<Response>),
}

impl From<Response> for Reply {
    fn from(r: Response) -> Self {
        Reply::Now(r)
    }
}

/// How many versions of the file the page may still hold (one per page load
/// or save), kept so unsaved edits can be laid onto a file changed meanwhile.
const VERSIONS_KEPT: usize = 8;

/// Writes `init`'s starter for a kind at the plan's path (cmd::init owns it).
pub type MakeStarter = Box<dyn Fn(Kind, &Path) -> anyhow::Result<()>>;

/// The plan being edited and what was made from it.
pub struct Editor {
    path: PathBuf,
    dir: PathBuf,
    port: u16,
    token: String,
    make_starter: MakeStarter,
    /// The preview and the written PDF, made on their own thread.
    printer: Printer,
    /// Recent versions shown to the page, and their text.
    shown: VecDeque<(String, String)>,
    /// When the page said it was closing.
    pub left: Option<Instant>,
    today: Date,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Save {
    version: String,
    edits: Vec<apply::Edit>,
}

impl Editor {
    pub fn new(path: &Path, port: u16, token: &str, make_starter: MakeStarter) -> Self {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let today = Date::now();
        Self {
            printer: Printer::start(path, &dir, today),
            path: path.to_path_buf(),
            dir,
            port,
            token: token.to_string(),
            make_starter,
            shown: VecDeque::new(),
            left: None,
            today,
        }
    }

    pub fn handle(&mut self, req: &Request) -> Reply {
        let get = req.method == "GET" || req.method == "HEAD";
        match (get, req.path.as_str()) {
            (true, "/") => self.page(req).into(),
            (true, "/edit.js") => {
                Response::new(200, "text/javascript; charset=utf-8", SCRIPT).into()
            }
            (true, "/edit.css") => Response::new(200, "text/css; charset=utf-8", STYLE).into(),
            (true, "/state") => self.poll(&req.query).into(),
            (true, "/preview.pdf") => match self.read() {
                Some(text) => Reply::Later(self.printer.preview(text)),
                None => Response::text(404, "計画のファイルがありません").into(),
            },
            (false, "/save") => self.save(&req.body).into(),
            (false, "/init") => self.init(&req.body).into(),
            (false, "/build") => self.build(&req.body),
            (false, "/upload") => self.upload(&req.query, &req.body).into(),
            (false, "/bye") => {
                self.left = Some(Instant::now());
                Response::text(200, "").into()
            }
            _ => Response::text(404, "ありません").into(),
        }
    }

    /// The page asks every few seconds whether the file changed: while it did
    /// not (`?known=` its version), only the version is read and sent.
    fn poll(&mut self, query: &str) -> Response {
        let Some(text) = self.read() else {
            return Response::json(200, &self.state());
        };
        let v = version(&text);
        if server::query_value(query, "known").is_some_and(|k| k == v) {
            return Response::json(200, &json!({"version": v, "same": true}));
        }
        Response::json(200, &self.state_of(&text))
    }

    /// Remember a version the page now holds.
    fn shown(&mut self, text: &str) {
        let v = version(text);
        if self.shown.iter().any(|(seen, _)| *seen == v) {
            return;
        }
        if self.shown.len() == VERSIONS_KEPT {
            self.shown.pop_front();
        }
        self.shown.push_back((v, text.to_string()));
    }

    fn read(&self) -> Option<String> {
        let bytes = limits::read_regular(&self.path, limits::TOML_BYTES).ok()?;
        String::from_utf8(bytes).ok()
    }

    fn page(&mut self, req: &Request) -> Response {
        let mut ctx = tera::Context::new();
        // The file's name in the header, where it is in the tooltip.
        let name = self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        ctx.insert("file", &name);
        ctx.insert("where", &absolute(&self.path));
        ctx.insert("exists", &self.path.exists());
        let companions: Vec<(&str, String)> = crate::render::COMPANIONS
            .iter()
            .map(|c| (c.name, c.help()))
            .collect();
        ctx.insert("companions", &companions);
        let state = self.state();
        ctx.insert("version", &state["version"]);
        ctx.insert("form", &state["form"]);
        ctx.insert("verdicts", &state["verdicts"]);
        ctx.insert("summary", &state["summary"]);
        ctx.insert("errors", &state["errors"]);
        let html = match tera::Tera::one_off(PAGE, &ctx, true) {
            Ok(html) => html,
            Err(e) => return Response::text(500, &format!("ページを作れません: {e}")),
        };
        let mut response = Response::new(200, "text/html; charset=utf-8", html);
        if server::query_value(&req.query, "token").is_some() {
            response.headers.push((
                "Set-Cookie".into(),
                format!(
                    "{}={}; HttpOnly; SameSite=Strict; Path=/",
                    server::cookie_name(self.port),
                    self.token
                ),
            ));
        }
        response
    }

    /// What the page shows for the file as it is on disk now.
    pub fn state(&mut self) -> Json {
        match self.read() {
            Some(text) => self.state_of(&text),
            None => {
                json!({"version": "", "exists": false, "form": "", "verdicts": "", "summary": "", "errors": []})
            }
        }
    }

    fn state_of(&mut self, text: &str) -> Json {
        self.shown(text);
        self.judge(text, BTreeMap::new())
    }

    /// The form, verdicts and notes for a text (`extra` notes added).
    fn judge(&self, text: &str, extra: BTreeMap<String, Vec<Note>>) -> Json {
        match pipeline::prepare_str_on(&self.path, text, &self.dir, self.today) {
            Ok(prepared) => self.view(text, &prepared, extra),
            Err(errors) => {
                let mut notes = extra;
                add_notes(&mut notes, &errors.diagnostics);
                json!({
                    "version": version(text),
                    "exists": true,
                    "form": form_of(text, notes, Vec::new()),
                    "verdicts": "",
                    "summary": "ファイルに誤りがあるため判定できません",
                    "errors": error_list(&errors),
                })
            }
        }
    }

    fn view(&self, text: &str, prepared: &Prepared, extra: BTreeMap<String, Vec<Note>>) -> Json {
        let report = prepared.coverage_on(self.today);
        let mut notes = extra;
        add_notes(&mut notes, prepared.warnings());
        for w in &report.warnings {
            push(&mut notes, &w.key, "warning", &w.message);
        }
        for gap in crate::render::gaps(&prepared.loaded.plan, &prepared.checked) {
            push(
                &mut notes,
                gap.key,
                "gap",
                &format!("【未記入】{}", gap.fix),
            );
        }
        let systems = prepared
            .loaded
            .plan
            .systems
            .iter()
            .map(|s| s.name.clone())
            .collect();
        json!({
            "version": version(text),
            "exists": true,
            "form": form_of(text, notes, systems),
            "verdicts": verdicts(&report),
            "summary": report.summary(),
            "errors": [],
        })
    }

    fn save(&mut self, body: &[u8]) -> Response {
        let save: Save = match serde_json::from_slice(body) {
            Ok(s) => s,
            Err(e) => return Response::text(400, &format!("保存の内容を読めません: {e}")),
        };
        let Some(text) = self.read() else {
            return Response::text(404, "計画のファイルを読めません");
        };
        if version(&text) != save.version {
            return Response::json(409, &self.conflict(&save, &text));
        }
        let mut doc: toml_edit::DocumentMut = match text.parse() {
            Ok(doc) => doc,
            Err(_) => return Response::json(422, &self.state()),
        };
        if let Err(message) = apply::apply(&mut doc, &save.edits) {
            return Response::json(
                422,
                &json!({"errors": [{"key": null, "message": message, "hints": []}]}),
            );
        }
        let new = doc.to_string();
        let prepared = match pipeline::prepare_str_on(&self.path, &new, &self.dir, self.today) {
            Ok(p) => p,
            // Not written: the file stays as it was.
            Err(errors) => return Response::json(422, &json!({"errors": error_list(&errors)})),
        };
        if new != text
            && let Err(e) = crate::output::write_atomically(&self.path, new.as_bytes())
        {
            return Response::text(500, &format!("{e:#}"));
        }
        self.shown(&new);
        Response::json(200, &self.view(&new, &prepared, BTreeMap::new()))
    }

    /// The file changed since the page loaded it: nothing is written. The
    /// page gets the new file with its unsaved edits laid on where the other
    /// change left their place alone, marked as unsaved, and the rest listed
    /// with both values, so neither change is lost and none is written over.
    fn conflict(&mut self, save: &Save, now: &str) -> Json {
        self.shown(now);
        let base = self.shown.iter().find(|(v, _)| *v == save.version);
        let rebased = base
            .ok_or_else(|| "元の版が分かりません".to_string())
            .and_then(|(_, base)| rebase::rebase(base, now, &save.edits));
        let rebased = rebased.unwrap_or_else(|_| rebase::Rebased {
            text: now.to_string(),
            kept: Vec::new(),
            conflicts: save
                .edits
                .iter()
                .map(rebase::place)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|path| rebase::Conflict {
                    path,
                    theirs: "（ほかで変更）".into(),
                    mine: "（この画面の入力）".into(),
                })
                .collect(),
        });
        let mut notes = BTreeMap::new();
        for edit in &rebased.kept {
            let (path, text) = match edit {
                apply::Edit::Set { path, .. } => (
                    path.clone(),
                    "未保存: この画面で変えた値です（「保存」で書き込みます）",
                ),
                _ => (
                    rebase::place(edit),
                    "未保存: この画面で行を足す・消す・並べ替えた変更があります（「保存」で書き込みます）",
                ),
            };
            let list: &mut Vec<Note> = notes.entry(path).or_default();
            if !list.iter().any(|n| n.text == text) {
                list.push(Note {
                    class: "unsaved",
                    text: text.into(),
                });
            }
        }
        for c in &rebased.conflicts {
            push(
                &mut notes,
                &c.path,
                "conflict",
                &format!(
                    "ほかで「{}」に変更されていたため、この画面の入力「{}」は入れていません。必要なら入力し直してください",
                    c.theirs, c.mine
                ),
            );
        }
        let mut state = self.judge(&rebased.text, notes);
        state["version"] = json!(version(now));
        state["conflict"] = json!(true);
        state["edits"] = json!(rebased.kept);
        state["conflicts"] = json!(rebased.conflicts);
        state
    }

    fn init(&mut self, body: &[u8]) -> Response {
        #[derive(Deserialize)]
        struct Init {
            kind: Kind,
        }
        if std::fs::symlink_metadata(&self.path).is_ok() {
            return Response::text(409, "計画のファイルはすでにあります（上書きしません）");
        }
        let init: Init = match serde_json::from_slice(body) {
            Ok(i) => i,
            Err(_) => return Response::text(400, "施設の種類を選んでください"),
        };
        match (self.make_starter)(init.kind, &self.path) {
            Ok(()) => Response::json(200, &self.state()),
            Err(e) => Response::text(500, &format!("{e:#}")),
        }
    }

    /// Write the PDF (and the companions asked for) beside the plan, as
    /// `build` does, on the printer's thread.
    fn build(&mut self, body: &[u8]) -> Reply {
        #[derive(Deserialize)]
        struct Build {
            #[serde(default)]
            also: Vec<String>,
        }
        let Ok(build) = serde_json::from_slice::<Build>(body) else {
            return Response::text(400, "作る書類を読めません").into();
        };
        let mut also = Vec::new();
        for name in &build.also {
            match <crate::cli::Also as clap::ValueEnum>::from_str(name, false) {
                Ok(a) => also.push(a),
                Err(_) => {
                    return Response::text(400, &format!("{name} という書類はありません")).into();
                }
            }
        }
        match self.read() {
            Some(text) => Reply::Later(self.printer.build(text, also)),
            None => Response::text(404, "計画のファイルがありません").into(),
        }
    }

    /// A ledger or diagram chosen in the page, put into the plan's folder
    /// once it passes the checks `build` reads it with (size, encoding,
    /// columns, image format); a refused file is not written. A file of the
    /// same name already there is never replaced: the upload takes the next
    /// free name (`台帳-2.csv`), unless it is the same file.
    fn upload(&mut self, query: &str, body: &[u8]) -> Response {
        let Some(name) = server::query_value(query, "name") else {
            return Response::text(400, "ファイル名がありません");
        };
        let Some(cap) = upload_cap(&name) else {
            return Response::text(
                400,
                "入れられるのは、計画と同じフォルダに置く台帳（.csv・.xlsx）と構成図（.png・.jpg・.gif・.svg）だけです（フォルダを含む名前や . で始まる名前は使えません）",
            );
        };
        let ledger = cap == limits::CSV_BYTES;
        let key = if ledger {
            "device_ledger.file"
        } else {
            "network.diagram"
        };
        let folder = std::fs::canonicalize(&self.dir).unwrap_or_else(|_| self.dir.clone());
        // Named as build names it when the plan refers to it.
        let shown = folder.join(&name);
        let checked = if body.len() as u64 > cap {
            Err(crate::diag::Diagnostic::error(
                key.to_string(),
                format!(
                    "{}: {}",
                    shown.display(),
                    limits::ReadError::TooLarge { limit: cap }.describe()
                ),
            ))
        } else if ledger {
            devices::parse_ledger(&shown, key, body.to_vec(), self.sheet().as_deref()).map(|_| ())
        } else {
            devices::image_asset(&shown, key, body.to_vec()).map(|_| ())
        };
        if let Err(d) = checked {
            let mut text = format!("{name} を入れていません: {}", d.message);
            for h in &d.hints {
                text.push_str(&format!("（{h}）"));
            }
            return Response::text(422, &text);
        }
        match put_new(&self.dir, &name, body) {
            Ok(stored) => Response::json(200, &json!({"name": stored})),
            Err(e) => Response::text(500, &format!("{e:#}")),
        }
    }

    /// The ledger's sheet as the plan names it now (an .xlsx is read with it).
    fn sheet(&self) -> Option<String> {
        let values: toml::Table = toml::from_str(&self.read()?).ok()?;
        Some(
            values
                .get("device_ledger")?
                .get("sheet")?
                .as_str()?
                .to_string(),
        )
    }
}

/// Write `bytes` under `name` in `dir`, or under `name-2`, `name-3`, … when
/// a different file holds the name; an identical file is simply used.
fn put_new(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<String> {
    use std::io::Write as _;
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..1000 {
        let candidate = match n {
            1 => name.to_string(),
            _ => format!("{stem}-{n}.{ext}"),
        };
        let target = dir.join(&candidate);
        if let Ok(meta) = std::fs::symlink_metadata(&target) {
            if meta.is_file() && std::fs::read(&target).is_ok_and(|old| old == bytes) {
                return Ok(candidate);
            }
            continue;
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(".cyberbcp-upload-")
            .tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        match tmp.persist_noclobber(&target) {
            Ok(_) => return Ok(candidate),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.error.into()),
        }
    }
    anyhow::bail!("{name} を入れる名前が見つかりません")
}

/// The cap for an uploaded file's name, if it is a plain name of a kind the
/// plan can reference (the same caps `build` reads these files with).
pub fn upload_cap(name: &str) -> Option<u64> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':', '\0'])
        && !name.chars().any(char::is_control)
        && Path::new(name).components().count() == 1;
    if !plain {
        return None;
    }
    let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "xlsx" => Some(limits::CSV_BYTES),
        // What `build` draws (it recognises them by content).
        "png" | "jpg" | "jpeg" | "gif" | "svg" => Some(limits::IMAGE_BYTES),
        _ => None,
    }
}

fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// Identifies one content of the file (changes on any outside edit).
pub fn version(text: &str) -> String {
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    format!("{:016x}-{}", h.finish(), text.len())
}

fn push(notes: &mut BTreeMap<String, Vec<Note>>, key: &str, class: &'static str, text: &str) {
    notes.entry(key.to_string()).or_default().push(Note {
        class,
        text: text.to_string(),
    });
}

fn add_notes(notes: &mut BTreeMap<String, Vec<Note>>, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let class = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut text = d.message.clone();
        for h in &d.hints {
            text.push_str(&format!("（{h}）"));
        }
        push(notes, d.key.as_deref().unwrap_or(""), class, &text);
    }
}

fn form_of(text: &str, notes: BTreeMap<String, Vec<Note>>, systems: Vec<String>) -> String {
    let values: toml::Table = toml::from_str(text).unwrap_or_default();
    form::render(&form::Input {
        values: &values,
        notes,
        systems,
    })
}

/// Errors as `check` words them, with the line they are on.
fn error_list(errors: &InputErrors) -> Vec<Json> {
    errors
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let line = d.span.as_ref().map(|s| errors.file.line_col(s.start).0);
            json!({"key": d.key, "message": d.message, "hints": d.hints, "line": line})
        })
        .collect()
}

/// The 27 items with their status and hints, as `check` reports them.
fn verdicts(report: &Report) -> String {
    let mut out = String::from("<ol class=\"items\">\n");
    for item in &report.items {
        out.push_str(&format!(
            "<li class=\"item {status}\" data-item=\"{id}\" data-status=\"{status}\" data-sections=\"{sections}\" tabindex=\"0\" role=\"button\" title=\"{title}\"><span class=\"mark\" aria-hidden=\"true\">{mark}</span> <span class=\"id\">{id}</span> <span class=\"label\">{label}</span><span class=\"text\">{text}</span>",
            status = item.status.as_str(),
            id = esc(item.id),
            sections = esc(&item.sections.join(" ")),
            title = esc(item.title),
            mark = item.status.mark(),
            label = item.status.label(),
            text = esc(item.text),
        ));
        if !item.hints.is_empty() {
            out.push_str("<ul class=\"hints\">");
            for h in &item.hints {
                out.push_str(&format!("<li>{}</li>", link_keys(&esc(h))));
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
    out
}

/// The key paths a hint names (`[[contacts]]`, `[network] diagram`,
/// `roles[0].assignee`) as links to their fields: the words stay `check`'s,
/// and a click shows the place to fill.
fn link_keys(html: &str) -> String {
    static KEYS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\[\[([a-z_.]+)\]\]|\[([a-z_.]+)\]|\b([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)+)",
        )
        .expect("a valid pattern")
    });
    KEYS.replace_all(html, |c: &regex::Captures| {
        let token = &c[0];
        let path = c
            .get(1)
            .or_else(|| c.get(2))
            .or_else(|| c.get(3))
            .map_or("", |m| m.as_str());
        let known = apply::parse_path(path)
            .is_some_and(|steps| form::kind_of(&apply::schema_path(&steps)).is_some());
        if known {
            format!("<a href=\"#\" class=\"key\" data-goto=\"{path}\">{token}</a>")
        } else {
            token.to_string()
        }
    })
    .into_owned()
}
