//! `cyberbcp edit`: the plan as a form in the browser. The page is made from
//! the schema (`form`), saved into the same TOML with `toml_edit` (`apply`),
//! judged with the same code as `check`, and printed with the same pipeline
//! (and the same incremental World) as `watch`. `server` guards the door.

pub mod apply;
pub mod form;
pub mod server;

use std::collections::BTreeMap;
use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;
use serde_json::{Value as Json, json};

use crate::coverage::Report;
use crate::diag::{Diagnostic, InputErrors, Severity};
use crate::model::{Date, Kind, limits};
use crate::pdf::BcpWorld;
use crate::pipeline::{self, BuildConfig, Prepared};
use form::{Note, esc};

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

#[derive(Debug)]
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

/// Writes `init`'s starter for a kind at the plan's path (cmd::init owns it).
pub type MakeStarter = Box<dyn Fn(Kind, &Path) -> anyhow::Result<()>>;

/// The plan being edited and what was made from it.
pub struct Editor {
    path: PathBuf,
    dir: PathBuf,
    port: u16,
    token: String,
    make_starter: MakeStarter,
    /// Kept across saves, as `watch` keeps it: Typst's caches stay valid.
    world: Option<BcpWorld>,
    config: Option<BuildConfig>,
    /// The preview of one version of the file.
    preview: Option<(String, Vec<u8>)>,
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
        Self {
            path: path.to_path_buf(),
            dir,
            port,
            token: token.to_string(),
            make_starter,
            world: None,
            config: None,
            preview: None,
            left: None,
            today: Date::now(),
        }
    }

    pub fn handle(&mut self, req: &Request) -> Response {
        let get = req.method == "GET" || req.method == "HEAD";
        match (get, req.path.as_str()) {
            (true, "/") => self.page(req),
            (true, "/edit.js") => Response::new(200, "text/javascript; charset=utf-8", SCRIPT),
            (true, "/edit.css") => Response::new(200, "text/css; charset=utf-8", STYLE),
            (true, "/state") => Response::json(200, &self.state()),
            (true, "/preview.pdf") => self.preview(),
            (false, "/save") => self.save(&req.body),
            (false, "/init") => self.init(&req.body),
            (false, "/build") => self.build(&req.body),
            (false, "/upload") => self.upload(&req.query, &req.body),
            (false, "/bye") => {
                self.left = Some(Instant::now());
                Response::text(200, "")
            }
            _ => Response::text(404, "ありません"),
        }
    }

    fn read(&self) -> Option<String> {
        let bytes = limits::read_regular(&self.path, limits::TOML_BYTES).ok()?;
        String::from_utf8(bytes).ok()
    }

    fn page(&self, req: &Request) -> Response {
        let mut ctx = tera::Context::new();
        ctx.insert("file", &self.path.display().to_string());
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
    pub fn state(&self) -> Json {
        let Some(text) = self.read() else {
            return json!({"version": "", "exists": false, "form": "", "verdicts": "", "summary": "", "errors": []});
        };
        match pipeline::prepare_str_on(&self.path, &text, &self.dir, self.today) {
            Ok(prepared) => self.view(&text, &prepared),
            Err(errors) => {
                let mut notes = BTreeMap::new();
                add_notes(&mut notes, &errors.diagnostics);
                json!({
                    "version": version(&text),
                    "exists": true,
                    "form": form_of(&text, notes, Vec::new()),
                    "verdicts": "",
                    "summary": "ファイルに誤りがあるため判定できません",
                    "errors": error_list(&errors),
                })
            }
        }
    }

    fn view(&self, text: &str, prepared: &Prepared) -> Json {
        let report = prepared.coverage_on(self.today);
        let mut notes = BTreeMap::new();
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
            let mut state = self.state();
            state["conflict"] = json!(true);
            return Response::json(409, &state);
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
        Response::json(200, &self.view(&new, &prepared))
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

    /// The plan's PDF for the file as it is now, made in the kept World.
    fn preview(&mut self) -> Response {
        let Some(text) = self.read() else {
            return Response::text(404, "計画のファイルがありません");
        };
        let v = version(&text);
        if let Some((seen, pdf)) = &self.preview
            && *seen == v
        {
            return Response::new(200, "application/pdf", pdf.clone());
        }
        match self.make(&text, &[]) {
            Ok(made) => {
                let pdf = made
                    .files
                    .into_iter()
                    .next()
                    .map(|f| f.bytes)
                    .unwrap_or_default();
                self.preview = Some((v, pdf.clone()));
                Response::new(200, "application/pdf", pdf)
            }
            Err(e) => Response::text(422, &format!("{e:#}")),
        }
    }

    /// Make the plan (and companions) from `text`, reusing the World.
    pub fn make(
        &mut self,
        text: &str,
        also: &[crate::cli::Also],
    ) -> anyhow::Result<pipeline::Made> {
        let prepared = pipeline::prepare_str_on(&self.path, text, &self.dir, self.today)?;
        let output = pipeline::output_for(&self.path, None)?;
        let config = match self.config.take() {
            Some(c) if c.also.len() == crate::cli::companions(also).len() && also.is_empty() => c,
            _ => BuildConfig::new(None, also)?,
        };
        let made = config.make(&prepared, &output, Some(&mut self.world));
        if also.is_empty() {
            self.config = Some(config);
        }
        crate::pdf::evict_caches(10);
        made
    }

    /// Write the PDF (and the companions asked for) beside the plan, as `build` does.
    fn build(&mut self, body: &[u8]) -> Response {
        #[derive(Deserialize)]
        struct Build {
            #[serde(default)]
            also: Vec<String>,
        }
        let Ok(build) = serde_json::from_slice::<Build>(body) else {
            return Response::text(400, "作る書類を読めません");
        };
        let mut also = Vec::new();
        for name in &build.also {
            match <crate::cli::Also as clap::ValueEnum>::from_str(name, false) {
                Ok(a) => also.push(a),
                Err(_) => return Response::text(400, &format!("{name} という書類はありません")),
            }
        }
        let Some(text) = self.read() else {
            return Response::text(404, "計画のファイルがありません");
        };
        let made = self
            .make(&text, &also)
            .and_then(|made| crate::output::write_checked(&made, &self.path, None).map(|()| made));
        match made {
            Ok(made) => {
                let files: Vec<Json> = made
                    .files
                    .iter()
                    .map(|f| json!({"path": absolute(&f.path), "pages": f.pages}))
                    .collect();
                Response::json(
                    200,
                    &json!({"files": files, "summary": made.today.summary()}),
                )
            }
            Err(e) => Response::json(422, &json!({"message": format!("{e:#}")})),
        }
    }

    /// A ledger or diagram chosen in the page, written into the plan's folder.
    fn upload(&mut self, query: &str, body: &[u8]) -> Response {
        let Some(name) = server::query_value(query, "name") else {
            return Response::text(400, "ファイル名がありません");
        };
        let Some(cap) = upload_cap(&name) else {
            return Response::text(
                400,
                "入れられるのは、計画と同じフォルダに置く台帳（.csv・.xlsx）と構成図（.png・.jpg・.gif・.webp・.svg）だけです（フォルダを含む名前や . で始まる名前は使えません）",
            );
        };
        if body.len() as u64 > cap {
            return Response::text(
                413,
                &format!("{name} は大きすぎます（上限 {}）", limits::human_bytes(cap)),
            );
        }
        let target = self.dir.join(&name);
        if std::fs::symlink_metadata(&target).is_ok_and(|m| !m.is_file()) {
            return Response::text(
                409,
                &format!("{name} は通常のファイルではないため置き換えません"),
            );
        }
        match crate::output::write_atomically(&target, body) {
            Ok(()) => Response::json(200, &json!({"name": name})),
            Err(e) => Response::text(500, &format!("{e:#}")),
        }
    }
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
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" => Some(limits::IMAGE_BYTES),
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
                out.push_str(&format!("<li>{}</li>", esc(h)));
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
    out
}
