//! `cargo bench --bench edit`: `cyberbcp edit` on the example, over HTTP, in
//! the release (bench) profile the shipped binary is built with. The issue's
//! targets:
//!
//! - statuses: a one-field change sent as the page sends it, until the reply
//!   with the new 確認表 statuses has arrived: median and p90 ≤ 50 ms;
//! - preview: the PDF made again after that save, against `watch`'s rebuild of
//!   the same change in its own kept World, the two measured alternately in
//!   this run (a shared machine slows both alike): ≤ 1.5×;
//! - memory: resident size after 10 and after 200 save + preview rounds: flat.
//!
//! Also shown: a save sent while a preview is being made (the PDF is made on
//! its own thread, so the statuses do not wait for it), and what `check`
//! does on the same file (the floor of a save). `BENCH_RUNS` sets N (30).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cyberbcp::edit::Editor;
use cyberbcp::edit::server::Server;

fn quantile(v: &[Duration], q: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[derive(Clone)]
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
        let end = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&out[..end]);
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let body = &out[end + 4..];
        // The PDF's bytes are not text: only their size matters here.
        let body = match head.contains("application/pdf") {
            true => format!("{} bytes of PDF", body.len()),
            false => String::from_utf8_lossy(body).into_owned(),
        };
        (status, body)
    }

    /// A save as the page sends it; the time until its statuses arrived.
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

    fn preview(&self) -> Duration {
        let t = Instant::now();
        let (status, body) = self.call("GET", "/preview.pdf", "");
        assert_eq!(status, 200, "{body}");
        t.elapsed()
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

const NAME: &str = "さくら台総合病院";
/// The example's facility name, the value both sides change.
const LINE: &str = "name = \"社会医療法人さくら会 さくら台総合病院\"";

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    println!(
        "profile: {}",
        if cfg!(debug_assertions) {
            "dev (debug assertions on: not the shipped binary's figures)"
        } else {
            "release / bench"
        }
    );

    // watch, on its own copy: the same change, rebuilt in its kept World.
    let (_watch_dir, watch_toml) = scratch();
    let original = std::fs::read_to_string(&watch_toml).unwrap();
    let mut watching = cyberbcp::watch::Watching::start(
        &watch_toml,
        &watch_toml.with_extension("pdf"),
        None,
        &[],
        true,
    )
    .unwrap();
    watching.rebuild().unwrap();

    // The editor, served as `cyberbcp edit` serves it.
    let (_dir, toml) = scratch();
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
    client.preview();

    // Alternately, in turns (Typst's memo cache is shared by the process, so
    // neither side always goes second): the editor's save and preview, and
    // watch's rebuild of the same kind of change (its own new name, so
    // neither finds the other's document ready-made).
    let (mut saves, mut previews, mut watch) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        for side in [i % 2, 1 - i % 2] {
            if side == 0 {
                let (took, v) = client.save(&version, &format!("{NAME}{i}"));
                version = v;
                saves.push(took);
                previews.push(client.preview());
            } else {
                // The same key as the page's save, in the file as an editor writes it.
                let changed = original.replacen(LINE, &format!("name = \"{NAME}{i}w\""), 1);
                assert_ne!(changed, original);
                std::fs::write(&watch_toml, changed).unwrap();
                let t = Instant::now();
                watching.rebuild().unwrap();
                watch.push(t.elapsed());
            }
        }
        if std::env::var_os("BENCH_VERBOSE").is_some() {
            eprintln!(
                "pair {i}: preview {:.1} ms, watch {:.1} ms",
                ms(previews[i]),
                ms(watch[i])
            );
        }
    }
    drop(watching);

    // A save sent while a preview is being made: it does not queue behind Typst.
    let mut during = Vec::new();
    for i in 0..runs.min(10) {
        version = client.save(&version, &format!("並行{i}")).1;
        let c = client.clone();
        let making = std::thread::spawn(move || c.preview());
        std::thread::sleep(Duration::from_millis(5));
        let (took, v) = client.save(&version, &format!("並行{i}b"));
        version = v;
        during.push(took);
        let made = making.join().unwrap();
        if std::env::var_os("BENCH_VERBOSE").is_some() {
            eprintln!(
                "during: save {:.1} ms, the preview it overlapped {:.1} ms",
                ms(took),
                ms(made)
            );
        }
    }

    // Memory over 200 rounds of save + preview (the page with the preview open).
    let mut rss = Vec::new();
    let mut many = Vec::new();
    for i in 1..=200 {
        let (took, v) = client.save(&version, &format!("名前{i}"));
        version = v;
        many.push(took);
        client.preview();
        if i == 10 || i % 50 == 0 {
            rss.push((i, rss_kib()));
        }
    }

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

    let (s50, s90) = (quantile(&saves, 0.5), quantile(&saves, 0.9));
    println!(
        "save → new statuses (N={runs}):        median {:6.1} ms  p90 {:6.1} ms   (target ≤ 50 ms)",
        ms(s50),
        ms(s90)
    );
    println!(
        "save → new statuses (200 rounds):    median {:6.1} ms  p90 {:6.1} ms",
        ms(quantile(&many, 0.5)),
        ms(quantile(&many, 0.9))
    );
    println!(
        "save while a preview is being made:  median {:6.1} ms  p90 {:6.1} ms",
        ms(quantile(&during, 0.5)),
        ms(quantile(&during, 0.9))
    );
    println!(
        "check's work on the same file:       median {:6.1} ms   (save / check {:.2} ×)",
        ms(quantile(&checks, 0.5)),
        ms(s50) / ms(quantile(&checks, 0.5))
    );
    let ratios: Vec<f64> = previews
        .iter()
        .zip(&watch)
        .map(|(p, w)| ms(*p) / ms(*w))
        .collect();
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    let (p50, w50) = (quantile(&previews, 0.5), quantile(&watch, 0.5));
    println!(
        "preview after a save:                median {:6.1} ms  p90 {:6.1} ms",
        ms(p50),
        ms(quantile(&previews, 0.9))
    );
    println!(
        "watch's rebuild of the same change:  median {:6.1} ms  p90 {:6.1} ms",
        ms(w50),
        ms(quantile(&watch, 0.9))
    );
    println!(
        "preview / watch, pair by pair:       median {:6.2} ×   p90 {:6.2} ×   (target ≤ 1.5 ×)",
        sorted[sorted.len() / 2],
        sorted[((sorted.len() - 1) as f64 * 0.9).round() as usize]
    );
    println!(
        "(save + preview) / watch:            median {:6.2} ×",
        (ms(s50) + ms(p50)) / ms(w50)
    );
    let line: Vec<String> = rss
        .iter()
        .map(|(i, kib)| format!("{i}: {} MiB", kib / 1024))
        .collect();
    let (first, last) = (rss[0].1, rss[rss.len() - 1].1);
    println!(
        "resident memory after 10 / 200 save + preview rounds: {first} / {last} KiB ({:+} KiB; {})",
        last as i64 - first as i64,
        line.join(", ")
    );
}
