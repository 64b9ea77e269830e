//! `cargo bench --bench pipeline`: where a build of the example spends its time.
//!
//! Prints the median of each phase over many runs in one process, and the
//! first (cold) run separately. "typst" is compile + PDF export of the
//! generated source; everything else is ours (TOML, validation, tera, JSON).
//!
//! `BENCH_PLAN=path/facility.toml` measures another plan (e.g. target/scale/
//! from `cargo bench --bench scale`); `BENCH_TRACE=trace.json` writes Typst's
//! own timings of the first (cold) run as a Chrome trace (chrome://tracing,
//! ui.perfetto.dev; `bench/trace-summary.py` sums it by phase).
//! `BENCH_TEMPLATES=dir` builds with a `--templates` folder (`cyberbcp init
//! --templates dir`, then edit): a template change timed before it is made.

use std::time::{Duration, Instant};

use cyberbcp::pdf::{self, BcpWorld};
use cyberbcp::pipeline;
use cyberbcp::render::Templates;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:7.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let path = match std::env::var_os("BENCH_PLAN") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("facility.example.toml"),
    };
    let trace = std::env::var_os("BENCH_TRACE").map(std::path::PathBuf::from);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let templates = Templates::load(
        std::env::var_os("BENCH_TEMPLATES")
            .as_deref()
            .map(std::path::Path::new),
    )
    .expect("BENCH_TEMPLATES: a templates folder");
    let (mut prep, mut rend, mut comp, mut exp) = (vec![], vec![], vec![], vec![]);
    let mut check = vec![];
    for i in 0..=runs {
        if i == 0 && trace.is_some() {
            typst_timing::enable();
        }
        let t0 = Instant::now();
        let prepared = pipeline::prepare_file(&path).expect("example is valid");
        let t1 = Instant::now();
        let rendered = prepared.render(&templates).expect("renders");
        let t2 = Instant::now();
        // A fresh World each time, as a cold process would have.
        let world = BcpWorld::new(&rendered, prepared.date());
        let (doc, _) = pdf::compile(&world).expect("compiles");
        let t3 = Instant::now();
        let bytes = pdf::export(&world, &doc, prepared.date()).expect("exports");
        let t4 = Instant::now();
        assert!(bytes.starts_with(b"%PDF"));
        if i == 0 {
            if let Some(out) = &trace {
                typst_timing::disable();
                let file = std::fs::File::create(out).expect("trace file");
                typst_timing::export_json(file, |raw| span_place(&world, raw))
                    .expect("trace written");
                println!("typst's timings of the cold run: {}", out.display());
            }
            println!(
                "first run (cold caches): ours {} + typst {} (compile {}, export {})",
                ms(t2 - t0),
                ms(t4 - t2),
                ms(t3 - t2),
                ms(t4 - t3)
            );
            continue;
        }
        // What `cyberbcp check` does: load, validate, judge the 27 items.
        let c0 = Instant::now();
        let report = pipeline::prepare_file(&path).expect("valid").coverage();
        check.push(c0.elapsed());
        assert_eq!(report.total, 27);
        prep.push(t1 - t0);
        rend.push(t2 - t1);
        comp.push(t3 - t2);
        exp.push(t4 - t3);
        // Forget Typst's memoized layout so every run compiles from scratch.
        typst::comemo::evict(0);
    }
    let (p, r, c, e) = (median(prep), median(rend), median(comp), median(exp));
    let ours = p + r;
    let total = ours + c + e;
    println!("median of {runs} runs, {}:", path.display());
    println!("  load + validate   {}", ms(p));
    println!("  render (tera+json){}", ms(r));
    println!("  typst compile     {}", ms(c));
    println!("  pdf export        {}", ms(e));
    println!("  total             {}", ms(total));
    let chk = median(check);
    println!(
        "  check (確認表)    {}  ({:.0}× faster than the whole build)",
        ms(chk),
        total.as_secs_f64() / chk.as_secs_f64()
    );
    let warm = warm_rebuild(&path, &templates, runs);
    println!(
        "  watch: warm rebuild after a one-field edit {}  (same World, Typst caches kept)",
        ms(warm)
    );
    println!(
        "  outside typst     {:5.1} %  (whole build = {:.3}× the bare typst compile+export)",
        100.0 * ours.as_secs_f64() / total.as_secs_f64(),
        total.as_secs_f64() / (c + e).as_secs_f64()
    );
}

/// A timed call's place in the generated source: file and line.
fn span_place(world: &BcpWorld, raw: std::num::NonZeroU64) -> (String, u32) {
    use typst::World;
    use typst::WorldExt;
    let span = typst::syntax::Span::from_raw(raw);
    let Some(id) = span.id() else {
        return ("?".into(), 0);
    };
    let line = world.source(id).ok().and_then(|source| {
        let start = world.range(span)?.start;
        source.lines().byte_to_line(start)
    });
    (
        id.vpath().as_rootless_path().display().to_string(),
        line.map_or(0, |l| l as u32 + 1),
    )
}

/// What `watch` does after a save that changes one field in the body: the
/// same World, updated, with Typst's caches from the previous build.
fn warm_rebuild(path: &std::path::Path, templates: &Templates, runs: usize) -> Duration {
    let text = std::fs::read_to_string(path).unwrap();
    let base = path.parent().unwrap();
    let first = pipeline::prepare_str(path, &text, base).unwrap();
    let rendered = first.render(templates).unwrap();
    let mut world = BcpWorld::new(&rendered, first.date());
    pipeline::compile_in(&world, first.date()).unwrap();
    let mut times = Vec::new();
    for i in 0..runs {
        let edited = text.replace(
            "システム異常報告書（様式第1号）",
            &format!("システム異常報告書（様式第{}号）", i + 2),
        );
        let t = Instant::now();
        let prepared = pipeline::prepare_str(path, &edited, base).unwrap();
        let rendered = prepared.render(templates).unwrap();
        world.update(&rendered, prepared.date());
        let out = pipeline::compile_in(&world, prepared.date()).unwrap();
        times.push(t.elapsed());
        assert!(out.pdf.starts_with(b"%PDF"));
    }
    median(times)
}
