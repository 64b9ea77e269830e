//! The printed plan, made on a thread of its own: the preview after a save
//! and the 「PDF を作る」 button compile with Typst for a tenth of a second or
//! more, and a save (its 確認表 statuses) must never wait behind them. The
//! thread keeps the World across compiles, as `watch` does, so Typst's caches
//! stay valid; previews asked for while one is being made are answered
//! together with the newest file.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};

use serde_json::json;

use super::{Response, absolute, version};
use crate::cli::Also;
use crate::model::Date;
use crate::pdf::BcpWorld;
use crate::pipeline::{self, BuildConfig};

enum Job {
    /// The PDF of this text (the file as it was when asked).
    Preview { text: String },
    /// Write the PDF and the companions beside the plan, as `build` does.
    Build { text: String, also: Vec<Also> },
}

struct Ask {
    job: Job,
    reply: Sender<Response>,
}

/// The handle the editor keeps; the thread ends when it is dropped.
pub struct Printer {
    tx: Sender<Ask>,
}

impl Printer {
    pub fn start(path: &Path, dir: &Path, today: Date) -> Self {
        let (tx, rx) = mpsc::channel();
        let mut state = State {
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
            today,
            world: None,
            config: None,
            preview: None,
        };
        std::thread::Builder::new()
            .name("cyberbcp-printer".into())
            .spawn(move || state.serve(&rx))
            .expect("a thread for the printed plan");
        Self { tx }
    }

    pub fn preview(&self, text: String) -> Receiver<Response> {
        self.ask(Job::Preview { text })
    }

    pub fn build(&self, text: String, also: Vec<Also>) -> Receiver<Response> {
        self.ask(Job::Build { text, also })
    }

    fn ask(&self, job: Job) -> Receiver<Response> {
        let (reply, answer) = mpsc::channel();
        if let Err(mpsc::SendError(ask)) = self.tx.send(Ask { job, reply }) {
            let _ = ask
                .reply
                .send(Response::text(500, "PDF を作る処理が止まっています"));
        }
        answer
    }
}

struct State {
    path: PathBuf,
    dir: PathBuf,
    today: Date,
    /// Kept across compiles, as `watch` keeps it.
    world: Option<BcpWorld>,
    config: Option<BuildConfig>,
    /// The preview of one version of the file.
    preview: Option<(String, Vec<u8>)>,
}

impl State {
    fn serve(&mut self, rx: &Receiver<Ask>) {
        while let Ok(first) = rx.recv() {
            // Everything asked meanwhile: previews are made once, from the newest text.
            let mut asks = vec![first];
            asks.extend(rx.try_iter());
            let newest = asks
                .iter()
                .rposition(|a| matches!(a.job, Job::Preview { .. }));
            let mut waiting = Vec::new();
            for (i, ask) in asks.into_iter().enumerate() {
                match ask.job {
                    Job::Preview { text } if Some(i) == newest => {
                        let response = self.preview(&text);
                        for reply in waiting.drain(..).chain([ask.reply]) {
                            let _ = reply.send(response.clone());
                        }
                    }
                    Job::Preview { .. } => waiting.push(ask.reply),
                    Job::Build { text, also } => {
                        let _ = ask.reply.send(self.build(&text, &also));
                    }
                }
            }
        }
    }

    fn preview(&mut self, text: &str) -> Response {
        let v = version(text);
        if let Some((seen, pdf)) = &self.preview
            && *seen == v
        {
            return Response::new(200, "application/pdf", pdf.clone());
        }
        match self.make(text, &[]) {
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
    fn make(&mut self, text: &str, also: &[Also]) -> anyhow::Result<pipeline::Made> {
        let prepared = pipeline::prepare_str_on(&self.path, text, &self.dir, self.today)?;
        let output = pipeline::output_for(&self.path, None)?;
        let config = match self.config.take() {
            Some(c) if also.is_empty() => c,
            _ => BuildConfig::new(None, also)?,
        };
        let made = config.make(&prepared, &output, Some(&mut self.world));
        if also.is_empty() {
            self.config = Some(config);
        }
        crate::pdf::evict_caches(10);
        made
    }

    fn build(&mut self, text: &str, also: &[Also]) -> Response {
        let made = self
            .make(text, also)
            .and_then(|made| crate::output::write_checked(&made, &self.path, None).map(|()| made));
        match made {
            Ok(made) => {
                let files: Vec<serde_json::Value> = made
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
}
