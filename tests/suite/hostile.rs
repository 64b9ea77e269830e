//! What an adversarial run found (issue 10): outputs that would replace the
//! user's files, special files, size bombs, broken images, looping templates,
//! formula and terminal injection. One table-driven test per finding; the
//! special-file cases run on Unix only.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

use crate::common::*;

fn cyberbcp(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .current_dir(dir)
        .arg("--color=never")
        // Nothing here may hang: a hang fails the test instead.
        .timeout(Duration::from_secs(120));
    cmd
}

fn run(dir: &Path, args: &[&str]) -> Output {
    cyberbcp(dir).args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A folder holding the example plan as `f.toml` with its ledger and diagram.
fn example_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir(p.join("examples")).unwrap();
    for f in ["devices.csv", "network.svg"] {
        std::fs::copy(root().join("examples").join(f), p.join("examples").join(f)).unwrap();
    }
    std::fs::copy(example(), p.join("f.toml")).unwrap();
    dir
}

/// Every file under `dir` with its bytes, to prove nothing changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

fn assert_refused_and_untouched(dir: &Path, args: &[&str], needle: &str) {
    let before = snapshot(dir);
    let out = run(dir, args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
    assert_eq!(snapshot(dir), before, "{args:?} changed a file");
}

// 1. An output that is an input, however spelled.
#[test]
fn an_output_is_never_a_file_the_build_reads() {
    let dir = example_dir();
    let p = dir.path();
    std::fs::create_dir(p.join("t")).unwrap();
    std::fs::write(p.join("t/lib.typ"), builtin("lib.typ")).unwrap();
    let abs = p.join("f.toml");
    let abs = abs.to_str().unwrap();
    let cases: &[&[&str]] = &[
        &["build", abs, "-o", "./f.toml"],
        &["build", "f.toml", "-o", "examples/../f.toml"],
        &["build", "f.toml", "-o", "examples/devices.csv"],
        &["build", "f.toml", "-o", "./examples/network.svg"],
        &["build", "f.toml", "--templates", "t", "-o", "t/lib.typ"],
        &[
            "build",
            "f.toml",
            "--templates",
            "t",
            "--emit-typst",
            "t",
            "-o",
            "x.pdf",
        ],
    ];
    for args in cases {
        assert_refused_and_untouched(p, args, "同じファイル");
    }
    // A plan saved as plan.xlsx: `--also xlsx` would write plan.xlsx.
    std::fs::copy(p.join("f.toml"), p.join("plan.xlsx")).unwrap();
    assert_refused_and_untouched(p, &["build", "plan.xlsx", "--also", "xlsx"], "同じファイル");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(p.join("f.toml"), p.join("link.pdf")).unwrap();
        assert_refused_and_untouched(p, &["build", "f.toml", "-o", "link.pdf"], "同じファイル");
    }
}

fn builtin(name: &str) -> &'static str {
    cyberbcp::render::BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap()
}

// 2 and 3. A batch checks every output against every input and every other
// output before writing anything.
#[test]
fn a_batch_never_overwrites_a_plan_its_ledger_or_its_own_outputs() {
    let make = || {
        let dir = example_dir();
        let p = dir.path();
        std::fs::create_dir(p.join("plans")).unwrap();
        std::fs::rename(p.join("f.toml"), p.join("plans/f.toml")).unwrap();
        let text = std::fs::read_to_string(p.join("plans/f.toml")).unwrap();
        let text = text.replace("examples/", "");
        std::fs::write(p.join("plans/f.toml"), &text).unwrap();
        std::fs::write(p.join("plans/b.toml"), &text).unwrap();
        for f in ["devices.csv", "network.svg"] {
            std::fs::copy(p.join("examples").join(f), p.join("plans").join(f)).unwrap();
        }
        dir
    };
    let cases: &[(&[&str], &str)] = &[
        (
            &["build", "plans", "--summary", "plans/b.toml"],
            "同じファイル",
        ),
        (
            &["build", "plans", "--summary", "plans/devices.csv"],
            "同じファイル",
        ),
        (
            &[
                "build",
                "plans",
                "--summary",
                "./plans/../plans/network.svg",
            ],
            "同じファイル",
        ),
    ];
    for (args, needle) in cases {
        let dir = make();
        assert_refused_and_untouched(dir.path(), args, needle);
    }
    // f.toml's poster is f-poster.pdf, the plan PDF of f-poster.toml.
    let dir = make();
    let p = dir.path();
    std::fs::copy(p.join("plans/f.toml"), p.join("plans/f-poster.toml")).unwrap();
    assert_refused_and_untouched(
        p,
        &["build", "plans", "--also", "poster"],
        "同じファイルになります",
    );
}

// 4. Devices, FIFOs and standard output are written into, never replaced.
#[cfg(unix)]
#[test]
fn special_outputs_are_written_into_not_replaced() {
    use std::os::unix::fs::FileTypeExt as _;
    let dir = example_dir();
    let p = dir.path();
    let out = run(p, &["build", "f.toml", "-o", "/dev/null"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let null = std::fs::metadata("/dev/null").unwrap().file_type();
    assert!(null.is_char_device(), "/dev/null is still a device");

    let out = run(p, &["build", "f.toml", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        out.stdout.starts_with(b"%PDF"),
        "-o - writes the PDF to stdout"
    );
    assert!(!p.join("-").exists());

    let fifo = p.join("out.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = run(p, &["build", "f.toml", "-o", "out.fifo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(reader.join().unwrap().starts_with(b"%PDF"));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

// 5. init never follows a link, not even a dangling one.
#[cfg(unix)]
#[test]
fn init_never_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::os::unix::fs::symlink(p.join("elsewhere.toml"), p.join("facility.toml")).unwrap();
    let out = run(p, &["init", "facility.toml"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(!p.join("elsewhere.toml").exists());
    std::fs::create_dir(p.join("t")).unwrap();
    std::os::unix::fs::symlink(p.join("gone.typ"), p.join("t/lib.typ")).unwrap();
    let out = run(p, &["init", "--templates", "t"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!p.join("gone.typ").exists());
}

fn mkfifo(path: &Path) {
    assert!(
        std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap()
            .success()
    );
}

// 6. Special files as inputs: refused at once, never read.
#[cfg(unix)]
#[test]
fn special_input_files_are_refused_without_blocking() {
    let dir = example_dir();
    let p = dir.path();
    mkfifo(&p.join("fifo.toml"));
    std::os::unix::fs::symlink("/dev/zero", p.join("zero.toml")).unwrap();
    let text = std::fs::read_to_string(p.join("f.toml")).unwrap();
    std::fs::remove_file(p.join("examples/devices.csv")).unwrap();
    mkfifo(&p.join("examples/devices.csv"));
    std::fs::write(p.join("ledger.toml"), &text).unwrap();
    let cases: &[(&str, &str)] = &[
        ("fifo.toml", "FIFO"),
        ("zero.toml", "デバイス"),
        ("ledger.toml", "device_ledger.file"),
    ];
    for (file, needle) in cases {
        let out = run(p, &["build", file]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(needle), "{file}: {err}");
    }
}

/// The example with one `from` → `to` edit, as `name` in `dir`.
fn edited(dir: &Path, name: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(example()).unwrap();
    assert!(text.contains(from), "example lacks {from:?}");
    std::fs::write(dir.join(name), text.replacen(from, to, 1)).unwrap();
}

// 7. Size limits, each refused with exit 2 and the key.
#[test]
fn inputs_beyond_the_documented_limits_are_refused_with_the_key() {
    let dir = example_dir();
    let p = dir.path();
    let long = "あ".repeat(200_001);
    edited(
        p,
        "long.toml",
        "name = \"電子カルテシステム\"",
        &format!("name = \"{long}\""),
    );
    let mut big = std::fs::read_to_string(p.join("f.toml")).unwrap();
    big.push_str(&format!("# {}\n", "x".repeat(5 * 1024 * 1024)));
    std::fs::write(p.join("big.toml"), big).unwrap();
    let mut csv = std::fs::read_to_string(p.join("examples/devices.csv")).unwrap();
    let row = csv.lines().nth(1).unwrap().to_string();
    for _ in 0..20_001 {
        csv.push_str(&row);
        csv.push('\n');
    }
    std::fs::write(p.join("examples/many.csv"), csv).unwrap();
    edited(p, "rows.toml", "examples/devices.csv", "examples/many.csv");
    let cases: &[(&str, &[&str])] = &[
        ("long.toml", &["systems[0].name", "200000 文字まで"]),
        ("big.toml", &["5 MB"]),
        ("rows.toml", &["device_ledger.file", "20000 行まで"]),
    ];
    for (file, needles) in cases {
        let out = run(p, &["build", file]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{file}: {err}");
        }
        assert!(!p.join(file.replace(".toml", ".pdf")).exists());
    }
}

/// A workbook as Excel would save it, its first sheet's XML replaced by `sheet`.
fn with_sheet_xml(sheet: &str) -> Vec<u8> {
    use std::io::{Cursor, Write as _};
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write_string(0, 0, "id").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let file = zip.by_index_raw(i).unwrap();
        let name = file.name().unwrap().to_string();
        if name == "xl/worksheets/sheet1.xml" {
            drop(file);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            out.start_file(name, options).unwrap();
            out.write_all(sheet.as_bytes()).unwrap();
        } else {
            out.raw_copy_file(file).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

fn sheet_xml(rows: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{rows}</sheetData></worksheet>"
    )
}

// 7. The .xlsx ledger's own limits (columns, cells, rows, unpacked size):
// checked while reading or before unpacking; exit 2 naming the file and the limit.
#[test]
fn xlsx_ledgers_beyond_the_documented_limits_are_refused() {
    let dir = example_dir();
    let p = dir.path();
    let mut wide = rust_xlsxwriter::Workbook::new();
    let ws = wide.add_worksheet();
    ws.write_string(0, 0, "id").unwrap();
    ws.write_string(1, 256, "IW 列の値").unwrap();
    let mut long = rust_xlsxwriter::Workbook::new();
    let ws = long.add_worksheet();
    for row in 0..20_010 {
        ws.write_string(row, 0, format!("PC-{row}")).unwrap();
    }
    // 5,000,001 empty cells (`<c></c>`): no row or column limit is reached first.
    let row = format!("<row>{}</row>", "<c></c>".repeat(1000));
    let cells = with_sheet_xml(&sheet_xml(&row.repeat(5001)));
    // A sheet that says it unpacks to 4 GB: the central directory's size field.
    let mut bomb = with_sheet_xml(&sheet_xml(
        "<row><c t=\"inlineStr\"><is><t>id</t></is></c></row>",
    ));
    let mut patched = 0;
    for at in 0..bomb.len().saturating_sub(46) {
        if bomb[at..at + 4] == *b"PK\x01\x02" {
            bomb[at + 24..at + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
            patched += 1;
        }
    }
    assert!(patched > 0);
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        (
            "wide.xlsx",
            wide.save_to_buffer().unwrap(),
            &["wide.xlsx", "IW 列", "256 列まで"],
        ),
        (
            "long.xlsx",
            long.save_to_buffer().unwrap(),
            &["long.xlsx", "20000 行まで"],
        ),
        ("cells.xlsx", cells, &["cells.xlsx", "5000000 個まで"]),
        ("bomb.xlsx", bomb, &["bomb.xlsx", "展開後 200 MB まで"]),
    ];
    for (file, bytes, needles) in cases {
        std::fs::write(p.join(file), bytes).unwrap();
        let toml = file.replace(".xlsx", ".toml");
        edited(p, &toml, "examples/devices.csv", file);
        let out = run(p, &["build", &toml]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains("device_ledger.file"), "{file}: {err}");
        for n in needles {
            assert!(err.contains(n), "{file}: {n}: {err}");
        }
        assert!(!p.join(toml.replace(".toml", ".pdf")).exists());
    }
}

fn override_dir(p: &Path, name: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let t = p.join(format!("t-{}", name.replace('.', "-")));
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(t.join(name), edit(builtin(name))).unwrap();
    t
}

// 8 and 15. A template override that loops, recurses or reaches outside ends
// with exit 1 and says why.
#[test]
fn looping_recursive_or_prying_templates_end_with_a_clear_message() {
    let dir = example_dir();
    let p = dir.path();
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            override_dir(p, "front.typ.tera", |t| {
                format!("{t}\n{{% include \"front.typ.tera\" %}}")
            }),
            "循環",
        ),
        (
            override_dir(p, "ch1.typ.tera", |t| {
                format!(
                    "{{% macro f(n) %}}{{{{ self::f(n=n) }}}}{{% endmacro f %}}\n{t}\n{{{{ self::f(n=1) }}}}"
                )
            }),
            "循環",
        ),
        (
            override_dir(p, "ch2.typ.tera", |t| {
                format!("{t}\n{{{{ get_env(name=\"HOME\") }}}}")
            }),
            "get_env",
        ),
        (
            override_dir(p, "ch3.typ.tera", |t| {
                format!("{t}\n{{% for i in range(end=1000000000) %}}x{{% endfor %}}")
            }),
            "range",
        ),
        (
            override_dir(p, "main.typ.tera", |t| {
                // 10¹⁰ steps: Typst's own guard only stops `while` loops.
                format!("{t}\n#{{ for i in range(100000) {{ for j in range(100000) {{ }} }} }}\n")
            }),
            "秒以内に終わりませんでした",
        ),
    ];
    for (t, needle) in cases {
        let out = cyberbcp(p)
            .env("CYBERBCP_TYPST_TIMEOUT", "3")
            .args(["build", "f.toml", "--templates"])
            .arg(&t)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", t.display());
        assert!(err.contains(needle), "{}: {err}", t.display());
        assert!(!err.contains("/root") && !err.contains("/home"), "{err}");
        assert!(!p.join("f.pdf").exists());
    }
}

// 8. `watch` has the same deadline: a runaway compilation keeps the last
// good PDF, says why in Japanese and ends the watch (exit 1), since only the
// end of the process stops it.
#[test]
fn watch_ends_on_a_runaway_compilation_and_keeps_the_last_pdf() {
    let dir = example_dir();
    let p = dir.path();
    assert!(run(p, &["build", "f.toml"]).status.success());
    let before = std::fs::read(p.join("f.pdf")).unwrap();
    let t = override_dir(p, "main.typ.tera", |t| {
        format!("{t}\n#{{ for i in range(100000) {{ for j in range(100000) {{ }} }} }}\n")
    });
    let started = std::time::Instant::now();
    let out = cyberbcp(p)
        .env("CYBERBCP_TYPST_TIMEOUT", "3")
        .args(["watch", "f.toml", "--templates"])
        .arg(&t)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for needle in [
        "3 秒以内に終わりませんでした",
        "前の版のまま",
        "監視を終了します",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    assert!(started.elapsed() < Duration::from_secs(60), "{err}");
    assert_eq!(std::fs::read(p.join("f.pdf")).unwrap(), before);
}

/// A PNG of the given size: signature, IHDR (with its CRC) and nothing else.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut chunk = b"IHDR".to_vec();
    chunk.extend(width.to_be_bytes());
    chunk.extend(height.to_be_bytes());
    chunk.extend([8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(13u32.to_be_bytes());
    out.extend(&chunk);
    out.extend(crc32(&chunk).to_be_bytes());
    for (name, data) in [
        (&b"IDAT"[..], &b"\x78\x9c\x03\x00\x00\x00\x00\x01"[..]),
        (b"IEND", b""),
    ] {
        let chunk = [name, data].concat();
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(&chunk);
        out.extend(crc32(&chunk).to_be_bytes());
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

// 9 and 10. Every diagram is checked before typesetting: size from the
// header, a full decode, SVG parsed with usvg and self-contained.
#[test]
fn broken_huge_or_linking_diagrams_are_refused_naming_the_key() {
    let dir = example_dir();
    let p = dir.path();
    let png = std::fs::read(fixture("pharmacy").with_file_name("network.png")).unwrap();
    let jpeg = encoded(image::ImageFormat::Jpeg);
    let gif = encoded(image::ImageFormat::Gif);
    let mut huge_gif = gif.clone();
    huge_gif[6..10].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("huge.png", png_header(1_000_000, 1_000_000), "大きすぎます"),
        ("big.png", png_header(38_000, 38_000), "大きすぎます"),
        ("huge.gif", huge_gif, "大きすぎます"),
        ("cut.png", png[..png.len() / 2].to_vec(), "図として使えません"),
        ("cut.gif", gif[..gif.len() / 2].to_vec(), "図として使えません"),
        ("cut.jpg", jpeg[..jpeg.len() * 2 / 3].to_vec(), "図として使えません"),
        ("junk.jpg", b"\xFF\xD8\xFF\xE0garbage garbage garbage".to_vec(), "図として使えません"),
        ("bad.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>".to_vec(), "SVG として読めません"),
        (
            "link.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image width="10" height="10" xlink:href="file:///etc/passwd"/></svg>"#.to_vec(),
            "外部のファイルや URL",
        ),
    ];
    for (name, bytes, needle) in &cases {
        std::fs::write(p.join("examples").join(name), bytes).unwrap();
        let toml = format!("{name}.toml");
        edited(
            p,
            &toml,
            "examples/network.svg",
            &format!("examples/{name}"),
        );
        let out = run(p, &["build", &toml]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains("network.diagram") && err.contains(needle),
            "{name}: {err}"
        );
        assert!(!err.contains("main.typ"), "{name}: {err}");
    }
    // Sound images still build.
    for (name, bytes) in [("ok.jpg", jpeg), ("ok.gif", gif), ("ok.png", png)] {
        std::fs::write(p.join("examples").join(name), bytes).unwrap();
        let toml = format!("{name}.toml");
        edited(
            p,
            &toml,
            "examples/network.svg",
            &format!("examples/{name}"),
        );
        let out = run(p, &["build", &toml]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
    }
}

const INCIDENT_NOTES: &str = "notes = \"夜間・休日は当直医師と当直事務が **CSIRT 窓口（内線 2101）** に連絡し、安全管理責任者の指示を待つ。\"";

// 11. Markdown nested too deep is refused with the key.
#[test]
fn markdown_nested_too_deep_is_refused_with_the_key() {
    let dir = example_dir();
    let p = dir.path();
    let cases = [
        ("quotes.toml", format!("{}深い", "> ".repeat(40))),
        (
            "lists.toml",
            (0..70)
                .map(|i| format!("{}- a\\n", "  ".repeat(i)))
                .collect(),
        ),
        ("mixed.toml", format!("{}x", "- > ".repeat(20))),
    ];
    for (file, notes) in &cases {
        edited(p, file, INCIDENT_NOTES, &format!("notes = \"{notes}\""));
        let out = run(p, &["build", file]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains("incident.notes") && err.contains("入れ子"),
            "{file}: {err}"
        );
    }
    // Ordinary nesting builds.
    edited(
        p,
        "ok.toml",
        INCIDENT_NOTES,
        "notes = \"- a\\n  - b\\n    - c\\n> q\\n> > r\"",
    );
    let out = run(p, &["build", "ok.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

// 12. A batch decides by parsing, and reports every plan it cannot read.
#[test]
fn a_batch_finds_every_plan_however_written_and_counts_unreadable_ones() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let clinic = std::fs::read_to_string(fixture("clinic")).unwrap();
    let spaced = clinic.replacen("[facility]", "[ facility ]", 1);
    let upper = clinic.clone();
    let broken = clinic.replacen("[facility]", "[facility", 1);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(clinic.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    std::fs::write(p.join("a.toml"), &clinic).unwrap();
    std::fs::write(p.join("b.toml"), &spaced).unwrap();
    std::fs::write(p.join("C.TOML"), &upper).unwrap();
    std::fs::write(p.join("d.toml"), &broken).unwrap();
    std::fs::write(p.join("e.toml"), &utf16).unwrap();
    std::fs::write(p.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    let out = run(p, &["build", ".", "--summary", "summary.csv"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let summary = std::fs::read_to_string(p.join("summary.csv")).unwrap();
    for name in ["a.toml", "b.toml", "C.TOML", "d.toml", "e.toml"] {
        assert!(
            summary.contains(name),
            "{name} missing from the summary:\n{summary}"
        );
    }
    assert!(!summary.contains("Cargo.toml"));
    assert!(err.contains("UTF-16"), "{err}");
    assert!(p.join("b.pdf").exists() && p.join("C.pdf").exists());
}

// 13. Cells a spreadsheet would run as formulas are neutralised.
#[test]
fn csv_cells_never_start_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let clinic = std::fs::read_to_string(fixture("clinic")).unwrap();
    let name = clinic
        .lines()
        .find(|l| l.starts_with("name = "))
        .unwrap()
        .to_string();
    let evil = clinic.replacen(
        &name,
        r#"name = "=HYPERLINK(\"http://evil.example/\",\"x\")""#,
        1,
    );
    std::fs::write(p.join("a.toml"), evil).unwrap();
    let out = run(p, &["build", ".", "--summary", "s.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let check = run(p, &["check", ".", "--format", "csv"]);
    let outputs = [
        std::fs::read_to_string(p.join("s.csv")).unwrap(),
        String::from_utf8(check.stdout).unwrap(),
    ];
    for csv in outputs {
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let cells: Vec<String> = reader
            .records()
            .flatten()
            .flat_map(|r| r.iter().map(String::from).collect::<Vec<_>>())
            .collect();
        assert!(cells.iter().any(|c| c.contains("HYPERLINK")), "{csv}");
        for c in &cells {
            assert!(!c.starts_with(['=', '+', '-', '@']), "formula cell {c:?}");
        }
    }
    assert_eq!(cyberbcp::export::neutralise("-1"), "'-1");
    assert_eq!(cyberbcp::export::neutralise("1-1"), "1-1");
}

// 14. Control characters never reach the terminal raw.
#[test]
fn terminal_escapes_in_names_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let clinic = std::fs::read_to_string(fixture("clinic")).unwrap();
    let name = clinic
        .lines()
        .find(|l| l.starts_with("name = "))
        .unwrap()
        .to_string();
    let evil = clinic.replacen(
        &name,
        "name = \"A\\u001b[2J\\u001b]0;pwned\\u0007B\\u009b31m\"",
        1,
    );
    std::fs::write(p.join("a.toml"), evil).unwrap();
    for args in [
        &["check", "a.toml"][..],
        &["check", "."][..],
        &["build", "a.toml"][..],
    ] {
        let out = run(p, args);
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains(['\u{1b}', '\u{7}', '\u{9b}']),
                "{args:?} {stream}: {text:?}"
            );
        }
    }
    let shown = cyberbcp::messages::escape_controls("a\u{1b}[2Jb\n".as_bytes()).into_owned();
    assert_eq!(String::from_utf8(shown).unwrap(), "a\\x1B[2Jb\n");
}

// 16. Our temporary files: removed on a signal, and stale ones cleared.
#[cfg(unix)]
#[test]
fn temporary_files_are_cleared() {
    let dir = example_dir();
    let p = dir.path();
    // Left by a build that was killed (no such process can exist).
    let stale = p.join(".cyberbcp-4294967000-AbCdEf.tmp");
    std::fs::write(&stale, vec![0u8; 1024]).unwrap();
    let out = run(p, &["build", "f.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stale.exists(), "the stale temporary file was cleared");

    // A signal ends the process through our handler (exit 128 + n), which
    // removes the temporary file being written, whenever it arrives.
    for delay in [50u64, 300, 900] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cyberbcp"))
            .current_dir(p)
            .args(["build", "f.toml", "--also", "poster,form,checklist"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let status = child.wait().unwrap();
        assert!(
            status.code() == Some(143) || status.code() == Some(0),
            "ended by our handler, not killed: {status:?}"
        );
        let left: Vec<_> = std::fs::read_dir(p)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".cyberbcp-"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

// 17. Long e-mail addresses, URLs, phone numbers and ASCII runs wrap, yet
// come back out of the PDF exactly as written: no zero-width spaces (or any
// other character) in the text layer.
#[test]
fn long_values_wrap_without_adding_characters_to_the_text_layer() {
    let values = [
        (
            "email = \"iryo-seisaku@pref-sakura.example\"",
            "iryoseisakukanritantou@prefsakuraiyouseisakukanrishitsu.example",
        ),
        (
            "purpose = \"所管部署への報告\"",
            "https://www.pref-sakura.example/kenkoufukushi/iryouseisaku/cybersecurity/houkoku.html",
        ),
        (
            "phone = \"045-000-3300\"",
            "045-000-3300/045-000-3301/045-000-3302/045-000-3303",
        ),
        ("role = \"病院事務部\"", "HOSPITALINFORMATIONSYSTEMMANAGER"),
        (
            "purpose = \"放射線画像の保存・参照\"",
            "SN0123456789ABCDEF0123456789ABCDEF0123456789",
        ),
    ];
    let mut text = std::fs::read_to_string(example()).unwrap();
    for (from, value) in values {
        let key = from.split(" = ").next().unwrap();
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, &format!("{key} = \"{value}\""), 1);
    }
    let built = build_text(&text, &example());
    let raw = pdf_extract::extract_text_from_mem(&built.output.pdf).unwrap();
    let invisible: Vec<char> = raw
        .chars()
        .filter(|c| {
            matches!(
                c,
                '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{fffc}' | '\u{ad}'
            )
        })
        .collect();
    assert!(invisible.is_empty(), "the text layer holds {invisible:?}");
    for (_, value) in values {
        assert!(
            built.text.contains(value),
            "{value} is not in the PDF as written"
        );
    }
    // They are long enough to wrap: the address and the URL end a line
    // part-way (whitespace inside them, once the text is read back).
    for value in [values[0].1, values[1].1] {
        let whole = raw.lines().any(|l| l.contains(value));
        assert!(!whole, "{value} never wraps: the test proves nothing");
    }
}

// 18. Characters the fonts lack are named in a warning.
#[test]
fn glyphs_the_fonts_lack_are_warned_with_key_and_character() {
    let dir = example_dir();
    let p = dir.path();
    let cases = [
        ("emoji.toml", "😀", "U+1F600"),
        ("hangul.toml", "한", "U+D55C"),
        ("arabic.toml", "ع", "U+0639"),
    ];
    for (file, c, code) in cases {
        edited(
            p,
            file,
            "さくら台総合病院\"",
            &format!("さくら台総合病院{c}\""),
        );
        let out = run(p, &["build", file]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{file}: {err}");
        assert!(
            err.contains("facility.name") && err.contains(code),
            "{file}: {err}"
        );
    }
    let out = run(p, &["build", "f.toml"]);
    assert!(
        !stderr(&out).contains("フォント（IPAex）にない"),
        "{}",
        stderr(&out)
    );
}

// 19. Smaller points.
#[test]
fn smaller_points() {
    let dir = example_dir();
    let p = dir.path();
    let out = run(p, &["build", "f.toml", "--templates", "/nonexistent"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("/nonexistent"), "{}", stderr(&out));
    assert!(!p.join("f.pdf").exists());

    let text = std::fs::read_to_string(p.join("f.toml")).unwrap();
    let utf16: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    std::fs::write(p.join("u.toml"), utf16).unwrap();
    let out = run(p, &["build", "u.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("UTF-16"), "{}", stderr(&out));

    // A huge value on one line: the message quotes at most ~200 characters of it.
    edited(
        p,
        "wide.toml",
        "kind = \"hospital\"",
        &format!("kind = \"{}\"", "x".repeat(5000)),
    );
    let out = run(p, &["build", "wide.toml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("facility.kind"), "{err}");
    assert!(err.lines().all(|l| l.chars().count() < 400), "{err}");

    // A number beyond the type's range names the limit, not Rust's types.
    edited(
        p,
        "big.toml",
        "recovery_priority = 1",
        "recovery_priority = 99999999999999999999999",
    );
    let out = run(p, &["build", "big.toml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("i128") && !err.contains("u32"), "{err}");

    // An empty ledger warns.
    std::fs::write(p.join("examples/devices.csv"), "id,maker\n").unwrap();
    let out = run(p, &["build", "f.toml"]);
    assert!(
        stderr(&out).contains("機器の行がありません"),
        "{}",
        stderr(&out)
    );
}

/// Mutations of real ledgers and diagrams (bit flips, cut-offs, splices,
/// header sizes set to extremes) through the same checks a build runs: each
/// must answer with a diagnostic or an asset, never a panic, abort or hang.
/// Not coverage-guided (cargo-fuzz's `files` target is, given nightly and
/// the time to build Typst instrumented); run for longer with
/// `CYBERBCP_MUTATE_SECS=600 cargo test --test suite mutated -- --ignored`.
#[test]
#[ignore = "long-running: run explicitly"]
fn mutated_images_and_ledgers_never_crash() {
    use cyberbcp::model::devices;
    let secs: u64 = std::env::var("CYBERBCP_MUTATE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let seeds_dir = root().join("fuzz/seeds-files");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&seeds_dir)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    let generated = [
        ("network.jpg", encoded(image::ImageFormat::Jpeg)),
        ("network.gif", encoded(image::ImageFormat::Gif)),
    ];
    if let Ok(dir) = std::env::var("CYBERBCP_SEED_DIR") {
        for (name, bytes) in &generated {
            std::fs::write(Path::new(&dir).join(name), bytes).unwrap();
        }
    }
    seeds.extend(generated.into_iter().map(|(_, b)| b));
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    let mut runs = 0u64;
    while std::time::Instant::now() < deadline {
        let mut data = seeds[(next() % seeds.len() as u64) as usize].clone();
        for _ in 0..=(next() % 8) {
            let len = data.len().max(1);
            let at = (next() % len as u64) as usize;
            match next() % 6 {
                0 if !data.is_empty() => {
                    let i = at.min(data.len() - 1);
                    data[i] ^= 1 << (next() % 8);
                }
                1 => data.truncate(at),
                2 => {
                    let i = at.min(data.len());
                    data.insert(i, next() as u8);
                }
                3 if data.len() > at + 4 => {
                    data[at..at + 4].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0x7F])
                }
                4 => {
                    let other = &seeds[(next() % seeds.len() as u64) as usize];
                    let from = (next() % other.len().max(1) as u64) as usize;
                    data.extend_from_slice(&other[from.min(other.len())..]);
                }
                _ => {
                    let (a, b) = (at.min(data.len()), (next() % len as u64) as usize);
                    let b = b.min(data.len());
                    if a < b {
                        data.drain(a..b);
                    }
                }
            }
        }
        let path = Path::new("input");
        let result = std::panic::catch_unwind(|| {
            let _ = devices::parse_csv(path, "device_ledger.file", &data);
            let _ = devices::image_asset(path, "network.diagram", data.clone());
        });
        assert!(
            result.is_ok(),
            "panicked on {} bytes: {:02x?}",
            data.len(),
            &data[..data.len().min(64)]
        );
        runs += 1;
    }
    eprintln!("{runs} mutated inputs in {secs} s, no crash");
}

/// The operating system's errors end in a Japanese sentence that says what to
/// do; std's English text ("No such file or directory (os error 2)") is kept
/// only as a detail after it.
#[test]
fn os_errors_say_what_to_do_in_japanese() {
    let dir = example_dir();
    let p = dir.path();
    std::fs::write(p.join("a-file"), "").unwrap();
    for (args, sentence) in [
        (
            vec!["build", "f.toml", "-o", "no-such-folder/f.pdf"],
            "ファイルまたはフォルダが見つかりません。名前の綴りと置き場所を確かめてください",
        ),
        (
            vec!["build", "f.toml", "-o", "a-file/f.pdf"],
            "パスの途中にフォルダでなくファイルがあります",
        ),
        (
            vec!["init", "a-file/new/facility.toml"],
            "パスの途中にフォルダでなくファイルがあります",
        ),
        (
            vec!["schema", "-o", &"長".repeat(200)],
            "ファイル名が長すぎるか、使えない文字を含んでいます",
        ),
    ] {
        let out = run(p, &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(sentence), "{args:?}: {err}");
        // The OS's English only as a detail, after the Japanese sentence.
        for line in err.lines().filter(|l| l.contains("os error")) {
            let at = line
                .find("（OS の詳細: ")
                .unwrap_or_else(|| panic!("{args:?}: {line}"));
            assert!(line[..at].chars().any(|c| c > '\u{3000}'), "{line}");
        }
    }
    // init names the plan it could not write, not the schema beside it.
    let err = stderr(&run(p, &["init", "a-file/new/facility.toml"]));
    assert!(
        err.starts_with("error: a-file/new/facility.toml を作れません"),
        "{err}"
    );
}
