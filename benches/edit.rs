//! `cargo bench --bench edit`: `cyberbcp edit` on the example, over HTTP.
//!
//! - save: a one-field change sent as the page sends it, until its reply with
//!   the new 確認表 statuses has arrived (target: 50 ms);
//! - preview: the PDF made again after a save, against `watch`'s rebuild of the
//!   same change in the same process (target: within 1.5×);
//! - memory: resident size before and after 200 saves (target: flat).
//!
//! Ratios are measured in one run, so a shared machine slows both sides alike.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cyberbcp::edit::Editor;
use cyberbcp::edit::server::Server;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Client {
    port: u16,
    token: String,
}

impl Client {
    fn call(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let host = format!("127.0.0.1:{}", self.port);
        write!(
            s,
            "{method} {path}?token={} HTTP/1.0\r\nHost: {host}\r\nOrigin: http://{host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.token,
            body.len()
        )
        .unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text.split(' ').nth(1).unwrap().parse().unwrap();
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    fn save(&self, version: &str, name: &str) -> (Duration, String) {
        let body = serde_json::json!({"version": version, "edits": [
            {"set": {"path": "facility.name", "value": name}}]})
        .to_string();
        let t = Instant::now();
        let (status, reply) = self.call("POST", "/save", &body);
        let took = t.elapsed();
        assert_eq!(status, 200, "{reply}");
        let state: serde_json::Value = serde_json::from_str(&reply).unwrap();
        assert!(state["verdicts"].as_str().unwrap().contains("data-status="));
        (took, state["version"].as_str().unwrap().to_string())
    }
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The example and its files in a scratch folder (the editor writes in place).
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root.join("facility.example.toml"),
        dir.path().join("facility.toml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("examples")).unwrap();
    for f in ["devices.csv", "network.svg"] {
        std::fs::copy(
            root.join("examples").join(f),
            dir.path().join("examples").join(f),
        )
        .unwrap();
    }
    let toml = dir.path().join("facility.toml");
    (dir, toml)
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let (_dir, toml) = scratch();

    // watch's rebuild of a one-field change, in a kept World.
    let out = toml.with_extension("pdf");
    let mut watching = cyberbcp::watch::Watching::start(&toml, &out, None, &[], true).unwrap();
    watching.rebuild().unwrap();
    let original = std::fs::read_to_string(&toml).unwrap();
    let mut watch = Vec::new();
    for i in 0..runs {
        std::fs::write(
            &toml,
            original.replacen("さくら台総合病院", &format!("さくら台総合病院{i}"), 1),
        )
        .unwrap();
        let t = Instant::now();
        watching.rebuild().unwrap();
        watch.push(t.elapsed());
    }
    drop(watching);
    std::fs::write(&toml, &original).unwrap();

    let server = Server::bind(0).unwrap();
    let client = Client {
        port: server.port(),
        token: server.token().to_string(),
    };
    let (path, port, token) = (toml.clone(), server.port(), server.token().to_string());
    std::thread::spawn(move || {
        let mut editor = Editor::new(&path, port, &token, Box::new(|_, _| Ok(())));
        server.run(&mut editor, None).unwrap();
    });
    let (_, state) = client.call("GET", "/state", "");
    let mut version = serde_json::from_str::<serde_json::Value>(&state).unwrap()["version"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = client.call("GET", "/preview.pdf", "");
    assert_eq!(status, 200);

    let (mut saves, mut previews) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let (took, v) = client.save(&version, &format!("さくら台総合病院{i}"));
        version = v;
        saves.push(took);
        let t = Instant::now();
        let (status, _) = client.call("GET", "/preview.pdf", "");
        assert_eq!(status, 200);
        previews.push(t.elapsed());
    }
    // Memory over 200 saves (each also judged and rendered into the page).
    for i in 0..20 {
        version = client.save(&version, &format!("warm{i}")).1;
    }
    let before = rss_kib();
    let mut many = Vec::new();
    for i in 0..200 {
        let (took, v) = client.save(&version, &format!("名前{i}"));
        version = v;
        many.push(took);
    }
    let after = rss_kib();

    // What `check` does for the same file, in this process: the floor of a save.
    let text = std::fs::read_to_string(&toml).unwrap();
    let dir = toml.parent().unwrap();
    let mut checks = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let prepared = cyberbcp::pipeline::prepare_str(&toml, &text, dir).unwrap();
        let _ = prepared.coverage();
        checks.push(t.elapsed());
    }
    let c = median(checks);

    let (s, p, w) = (median(saves), median(previews), median(watch));
    println!(
        "save → new statuses (median of {runs}):   {:7.1} ms   (target ≤ 50 ms)",
        ms(s)
    );
    println!(
        "save → new statuses (median of 200):  {:7.1} ms",
        ms(median(many))
    );
    println!(
        "check's work on the same file:        {:7.1} ms   (save / check: {:.2} ×)",
        ms(c),
        ms(s) / ms(c)
    );
    println!("preview after a save (median):        {:7.1} ms", ms(p));
    println!("watch rebuild of the same change:     {:7.1} ms", ms(w));
    println!(
        "preview / watch:                      {:7.2} ×    (target ≤ 1.5 ×)",
        ms(p) / ms(w)
    );
    println!(
        "resident memory before / after 200 saves: {} / {} KiB ({:+} KiB)",
        before,
        after,
        after as i64 - before as i64
    );
}
