//! `cargo bench --bench scale`: a facility with 5,000 devices and 500 contacts
//! (written to target/scale/), built in-process a few times. bench/scale.sh
//! adds the cold-process time and peak memory of `cyberbcp build` on it.
//!
//! `SCALE_DEVICES=10000` writes target/scale-10000/ instead; `SCALE_RUNS=0`
//! only writes the facility (bench/scale.sh times it as a cold process).

#[path = "../tests/suite/common/scale.rs"]
mod scale;

use std::time::{Duration, Instant};

use cyberbcp::pipeline;
use cyberbcp::render::Templates;

fn main() {
    let env = |k: &str, d: usize| std::env::var(k).ok().and_then(|s| s.parse().ok()).unwrap_or(d);
    let devices = env("SCALE_DEVICES", 5000);
    let runs = env("SCALE_RUNS", 3);
    let name = if devices == 5000 { "target/scale".to_string() } else { format!("target/scale-{devices}") };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let path = scale::write_scale_facility(&dir, devices, 500);
    if runs == 0 {
        println!("{}: {devices} devices, 500 contacts", path.display());
        return;
    }
    let mut times: Vec<Duration> = Vec::new();
    let mut pages = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let prepared = pipeline::prepare_file(&path).expect("valid");
        let rendered = prepared.render(&Templates::builtin()).expect("renders");
        let out = pipeline::compile(&rendered, prepared.date()).expect("compiles");
        times.push(t.elapsed());
        pages = out.pages;
        cyberbcp::pdf::evict_caches(0);
    }
    times.sort();
    println!(
        "{}: {devices} devices, 500 contacts, {pages} pages: median {:.2} s (min {:.2} s) over {} builds",
        path.display(),
        times[times.len() / 2].as_secs_f64(),
        times[0].as_secs_f64(),
        times.len()
    );
}
