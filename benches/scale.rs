//! `cargo bench --bench scale`: a facility with 5,000 devices and 500 contacts
//! (written to target/scale/), built in-process a few times. bench/scale.sh
//! adds the cold-process time and peak memory of `cyberbcp build` on it.

#[path = "../tests/suite/common/scale.rs"]
mod scale;

use std::time::{Duration, Instant};

use cyberbcp::pipeline;
use cyberbcp::render::Templates;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/scale");
    std::fs::create_dir_all(&dir).unwrap();
    let path = scale::write_scale_facility(&dir, 5000, 500);
    let mut times: Vec<Duration> = Vec::new();
    let mut pages = 0;
    for _ in 0..3 {
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
        "{}: 5,000 devices, 500 contacts, {pages} pages: median {:.2} s (min {:.2} s) over {} builds",
        path.display(),
        times[times.len() / 2].as_secs_f64(),
        times[0].as_secs_f64(),
        times.len()
    );
}
