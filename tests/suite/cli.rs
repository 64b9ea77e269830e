//! The binary as a user runs it.

use std::path::{Path, PathBuf};

use crate::common::*;
use assert_cmd::Command;

fn cyberbcp() -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// A copy of a fixture directory in a fresh temp dir.
fn copy_fixture(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = fixture(case).parent().unwrap().to_path_buf();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// Build a copy of a fixture with one edit to its TOML.
fn build_edited(case: &str, from: &str, to: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = copy_fixture(case);
    let toml = dir.path().join("facility.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains(from), "fixture lacks {from:?}");
    std::fs::write(&toml, text.replace(from, to)).unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(&toml)
        .arg("--color=never")
        .output()
        .unwrap();
    (dir, out)
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn build_writes_the_pdf_next_to_the_toml() {
    let dir = copy_fixture("pharmacy");
    let out = cyberbcp()
        // The summary line is today's verdict: pin today (2025-06-30 in Japan).
        .env("SOURCE_DATE_EPOCH", "1751209200")
        .arg("build")
        .arg(dir.path().join("facility.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let pdf = std::fs::read(dir.path().join("facility.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert_contains(&pdf_text(&pdf), "あおぞら薬局 駅前店");
    assert!(stderr_of(&out).contains("ページ"));
    assert!(
        stderr_of(&out).contains(
            "確認表 27 項目: 記載済 10・既定文のみ 16・未記載 1（判定日 2025-06-30。詳しくは cyberbcp check"
        ),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn build_honours_output_and_emits_typst_source() {
    let dir = copy_fixture("clinic");
    let pdf = dir.path().join("out/plan.pdf");
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let emit = dir.path().join("typst");
    let out = cyberbcp()
        .arg("build")
        .arg(dir.path().join("facility.toml"))
        .arg("-o")
        .arg(&pdf)
        .arg("--emit-typst")
        .arg(&emit)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    for f in [
        "main.typ",
        "lib.typ",
        "data.json",
        "ipaexm.ttf",
        "ipaexg.ttf",
    ] {
        assert!(emit.join(f).is_file(), "{f} not emitted");
    }
    let data = std::fs::read_to_string(emit.join("data.json")).unwrap();
    assert!(data.contains("みどり内科クリニック"));
    // The clinic lacks a diagram: the gap is listed on stderr with its key.
    let err = stderr_of(&out);
    assert!(
        err.contains("【未記入】") && err.contains("network.diagram"),
        "{err}"
    );
}

#[test]
fn bad_enum_value_exits_2_with_location_key_and_suggestion() {
    let (dir, out) = build_edited("clinic", "kind = \"clinic\"", "kind = \"hosptial\"");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("facility.kind"), "{err}");
    assert!(err.contains("facility.toml:4:"), "{err}");
    assert!(
        err.contains("\"hospital\" / \"clinic\" / \"pharmacy\" のいずれか"),
        "{err}"
    );
    assert!(err.contains("\"hospital\" のことですか"), "{err}");
    assert!(!dir.path().join("facility.pdf").exists());
}

#[test]
fn unknown_system_reference_names_the_key() {
    let (_dir, out) = build_edited("clinic", "system = \"レセコン\"", "system = \"レセコンX\"");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("backups[1].system"), "{err}");
    assert!(err.contains("\"レセコン\" のことですか"), "{err}");
}

#[test]
fn a_failed_build_leaves_the_previous_pdf_byte_identical() {
    let dir = copy_fixture("clinic");
    let toml = dir.path().join("facility.toml");
    let pdf = dir.path().join("facility.pdf");
    std::fs::write(&pdf, b"%PDF-previous good plan").unwrap();
    std::fs::write(&toml, "[facility]\nname = \"x\"\nkind = 3\n").unwrap();
    let out = cyberbcp().arg("build").arg(&toml).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&pdf).unwrap(), b"%PDF-previous good plan");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn a_broken_template_override_fails_without_touching_the_pdf() {
    let dir = copy_fixture("clinic");
    let toml = dir.path().join("facility.toml");
    let pdf = dir.path().join("facility.pdf");
    std::fs::write(&pdf, b"%PDF-previous").unwrap();
    let templates = dir.path().join("tpl");
    std::fs::create_dir(&templates).unwrap();
    // Valid tera, invalid Typst: the failure happens inside compilation.
    std::fs::write(templates.join("ch4.typ.tera"), "#let x = (\n").unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(&toml)
        .arg("--templates")
        .arg(&templates)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("組版に失敗"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), b"%PDF-previous");
}

#[test]
fn shift_jis_input_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("facility.toml");
    // [facility] name = "病院" in Shift_JIS
    std::fs::write(&toml, b"[facility]\nname = \"\x95\x61\x89\x40\"\n").unwrap();
    let out = cyberbcp().arg("build").arg(&toml).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("Shift_JIS") && err.contains("UTF-8"), "{err}");
}

#[test]
fn referenced_files_outside_the_toml_directory_are_refused() {
    let dir = copy_fixture("pharmacy");
    let toml = dir.path().join("facility.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "diagram = \"network.png\"",
        "diagram = \"../../etc/passwd\"",
    );
    std::fs::write(&toml, text).unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(&toml)
        .arg("--color=never")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("network.diagram") && err.contains("読み込みません"),
        "{err}"
    );
    assert!(!Path::new(&dir.path().join("facility.pdf")).exists());
}

#[test]
fn check_prints_an_aligned_table_with_totals_and_no_pdf() {
    let dir = copy_fixture("clinic");
    let out = cyberbcp()
        // Verdicts depend on today (1-2.3): pin it to 2026-07-01 in Japan.
        .env("SOURCE_DATE_EPOCH", "1782831600")
        .args(["check", "--color=never"])
        .arg(dir.path().join("facility.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("みどり内科クリニック（診療所）の確認表"),
        "{table}"
    );
    assert!(table.contains("── 初動対応 ──"));
    assert!(
        table.contains("1-1.2   ✗ 未記載      ネットワーク構成図・システム構成図が整備で…   2.1.4"),
        "{table}"
    );
    assert!(
        table.contains("3-3     △ 既定文のみ  被害拡大防止に向けた対応ができるか。          3.3.2"),
        "{table}"
    );
    assert!(table.contains("→ ネットワーク構成図がありません（[network] diagram"));
    assert!(table.contains("計 27 項目: ✓ 記載済 7　△ 既定文のみ 16　✗ 未記載 4"));
    assert!(!table.contains('\u{1b}'), "no colour when not a terminal");
    // Every item row puts the sections in the same column.
    let width =
        |l: &str| unicode_width::UnicodeWidthStr::width(l.split("  2.").next().unwrap_or(l));
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("1-1.")).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|l| width(l) == width(rows[0])), "{rows:#?}");
    assert!(
        !dir.path().join("facility.pdf").exists(),
        "check never writes a PDF"
    );

    let coloured = cyberbcp()
        .args(["check", "--color=always"])
        .arg(dir.path().join("facility.toml"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\u{1b}[0m\u{1b}[31m"));
}

#[test]
fn check_json_has_the_documented_schema() {
    let out = cyberbcp()
        .args(["check", "--format", "json", "--today", "2025-06-30"])
        .arg(fixture("pharmacy"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "drill-shortfall",
            "backup-offline",
            "mds-sds",
            "mds-sds",
            "night-contact",
            "night-first-call",
            "backup-restore"
        ]
    );
    let w = &json["warnings"][1];
    assert_eq!(w["key"], "backups[1].offline");
    assert!(
        w["message"]
            .as_str()
            .unwrap()
            .contains("『電子薬歴』にオフライン")
    );
    assert_eq!(json["schema"], 1);
    assert_eq!(json["facility"], "あおぞら薬局 駅前店");
    assert_eq!(json["kind"], "pharmacy");
    assert_eq!(
        (
            &json["total"],
            &json["covered"],
            &json["default"],
            &json["missing"]
        ),
        (&27.into(), &10.into(), &16.into(), &1.into())
    );
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 27);
    let first = &items[0];
    for key in [
        "id", "group", "major", "title", "text", "status", "sections", "hints",
    ] {
        assert!(first.get(key).is_some(), "item lacks {key}");
    }
    assert_eq!(first["id"], "1-1.1");
    assert_eq!(first["major"], "平時");
    let item = |id: &str| items.iter().find(|i| i["id"] == id).unwrap();
    assert_eq!(
        item("2-2")["text"],
        "局内で発生した異常が局内職員によって覚知できるか。"
    );
    assert_eq!(item("1-1.3")["status"], "missing");
    assert_eq!(item("3-3")["status"], "default");
    assert_eq!(
        item("4-3")["sections"],
        serde_json::json!(["2.2.4", "3.5.1"])
    );
}

#[test]
fn check_strict_exits_1_unless_every_item_is_covered() {
    let strict = |path: &Path| {
        cyberbcp()
            .args(["check", "--strict", "--format", "json"])
            .arg(path)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(strict(&example()), Some(0));
    assert_eq!(strict(&fixture("clinic")), Some(1));
    assert_eq!(strict(&fixture("pharmacy")), Some(1));
}

#[test]
fn check_on_bad_input_exits_2_with_the_location() {
    let dir = copy_fixture("clinic");
    let toml = dir.path().join("facility.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("kind = \"clinic\"", "kind = \"clinc\"")).unwrap();
    let out = cyberbcp()
        .args(["check", "--color=never"])
        .arg(&toml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr_of(&out);
    assert!(
        err.contains("facility.kind") && err.contains("\"clinic\""),
        "{err}"
    );
}

#[test]
fn several_mistakes_are_all_reported_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("facility.toml");
    std::fs::copy(root().join("tests/fixtures/errors/several.toml"), &toml).unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(&toml)
        .arg("--color=never")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    for (key, line_col, expected) in [
        (
            "facility.name",
            "3:8",
            "文字列（\"…\"）が必要ですが、整数 5 が書かれています",
        ),
        (
            "facility.kind",
            "4:8",
            "\"hospital\" / \"clinic\" / \"pharmacy\" のいずれか",
        ),
        (
            "facility.beds",
            "5:8",
            "0 以上 4294967295 以下の整数が必要ですが、文字列 \"many\"",
        ),
        (
            "systems[0].importance",
            "11:14",
            "\"high\" / \"medium\" / \"low\" のいずれか",
        ),
        (
            "systems[0].recovery_priority",
            "12:21",
            "0 以上 4294967295 以下の整数が必要",
        ),
        ("backup", "14:3", "不明なキー `backup`"),
        (
            "revisions[0].date",
            "19:8",
            "日付（例: 2025-04-01、引用符なし）が必要",
        ),
    ] {
        assert!(
            err.contains(&format!("error: {key}: ")),
            "{key} not reported:\n{err}"
        );
        assert!(
            err.contains(&format!("facility.toml:{line_col}")),
            "{key} at {line_col}:\n{err}"
        );
        assert!(err.contains(expected), "{expected}:\n{err}");
    }
    assert!(
        err.contains("\"hospital\" のことですか？") && err.contains("`backups` のことですか？")
    );
    assert!(err.contains("7 件のエラー"), "{err}");
    // A required key with a wrong type is one mistake, not two.
    assert!(!err.contains("必須のキー"), "{err}");
    assert!(!dir.path().join("facility.pdf").exists());
}

#[test]
fn the_input_file_is_never_modified() {
    let dir = copy_fixture("pharmacy");
    let toml = dir.path().join("facility.toml");
    let before = std::fs::read(&toml).unwrap();
    let mtime = std::fs::metadata(&toml).unwrap().modified().unwrap();
    for args in [
        &["build"][..],
        &["check"][..],
        &["check", "--format", "json"][..],
    ] {
        let out = cyberbcp().args(args).arg(&toml).output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    assert_eq!(std::fs::read(&toml).unwrap(), before);
    assert_eq!(std::fs::metadata(&toml).unwrap().modified().unwrap(), mtime);
}

/// Makes a directory read-only for this process; root ignores permission
/// bits, so it falls back to the immutable attribute (`chattr +i`).
struct ReadOnlyDir<'a> {
    path: &'a Path,
    immutable: bool,
}

impl<'a> ReadOnlyDir<'a> {
    fn new(path: &'a Path) -> Option<Self> {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o555)).unwrap();
        let mut guard = Self {
            path,
            immutable: false,
        };
        if guard.writable() {
            guard.immutable = std::process::Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
        }
        (!guard.writable()).then_some(guard)
    }

    fn writable(&self) -> bool {
        let probe = self.path.join(".probe");
        let ok = std::fs::write(&probe, b"x").is_ok();
        let _ = std::fs::remove_file(&probe);
        ok
    }
}

impl Drop for ReadOnlyDir<'_> {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt as _;
        if self.immutable {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(self.path)
                .status();
        }
        let _ = std::fs::set_permissions(self.path, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn a_read_only_output_directory_fails_cleanly_and_keeps_the_old_pdf() {
    let dir = copy_fixture("pharmacy");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let pdf = out_dir.join("plan.pdf");
    std::fs::write(&pdf, b"%PDF-previous").unwrap();
    let Some(_guard) = ReadOnlyDir::new(&out_dir) else {
        panic!("cannot make a read-only directory here (neither permissions nor chattr +i work)");
    };
    let out = cyberbcp()
        .arg("build")
        .arg(dir.path().join("facility.toml"))
        .arg("-o")
        .arg(&pdf)
        .arg("--color=never")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("PDF を") && err.contains("書き込めません"),
        "{err}"
    );
    assert!(err.contains("一時ファイルを作れません"), "{err}");
    assert_eq!(std::fs::read(&pdf).unwrap(), b"%PDF-previous");
    assert_eq!(
        std::fs::read_dir(&out_dir).unwrap().count(),
        1,
        "no temporary file left"
    );
}

/// Every kind of bad input: exit 2, a Japanese message naming the file and
/// key, and no PDF.
#[test]
fn each_kind_of_bad_input_is_refused_with_a_located_message() {
    type Setup = fn(&Path, &str) -> String;
    let cases: &[(&str, Setup, &[&str])] = &[
        ("empty file", |_, _| String::new(), &["ファイルが空です"]),
        (
            "binary file",
            |_, _| "\0\u{1}PK\u{3}".into(),
            &["バイナリファイル"],
        ),
        (
            "absolute path",
            |_, t| t.replace("\"network.png\"", "\"/etc/hostname\""),
            &[
                "network.diagram",
                "絶対パスや .. を含むパスは読み込みません",
            ],
        ),
        (
            "symlink escaping the folder",
            |dir, t| {
                std::os::unix::fs::symlink("/etc/hostname", dir.join("link.png")).unwrap();
                t.replace("\"network.png\"", "\"link.png\"")
            },
            &["network.diagram", "TOML のフォルダの外を指すリンクです"],
        ),
        (
            "missing file",
            |_, t| t.replace("\"network.png\"", "\"nothere.png\""),
            &["network.diagram", "\"nothere.png\" が見つかりません"],
        ),
        (
            "not an image",
            |dir, t| {
                std::fs::write(dir.join("fake.png"), "not an image").unwrap();
                t.replace("\"network.png\"", "\"fake.png\"")
            },
            &[
                "network.diagram",
                "画像（PNG・JPEG・GIF・SVG）ではありません",
            ],
        ),
        (
            "CSV with unknown columns",
            |dir, t| {
                std::fs::write(dir.join("d.csv"), "番号,色\n1,赤\n").unwrap();
                format!("{t}\n[device_ledger]\nfile = \"d.csv\"\n")
            },
            &["device_ledger.file"],
        ),
        (
            "duplicate system name",
            |_, t| {
                let start = t.find("[[systems]]").unwrap();
                let end = start + 11 + t[start + 11..].find("[[systems]]").unwrap();
                let block = &t[start..end];
                t.replacen(block, &format!("{block}{block}"), 1)
            },
            &["systems[1].name", "が重複しています"],
        ),
        (
            "unknown system referenced",
            |_, t| t.replacen("system = \"レセコン\"", "system = \"レセコソ\"", 1),
            &["backups[0].system", "\"レセコン\""],
        ),
    ];
    for (name, setup, expected) in cases {
        let dir = copy_fixture("pharmacy");
        let toml = dir.path().join("facility.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        let edited = setup(dir.path(), &text);
        assert_ne!(edited, text, "{name}: the edit applies");
        std::fs::write(&toml, edited).unwrap();
        let out = cyberbcp()
            .arg("build")
            .arg(&toml)
            .arg("--color=never")
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains("facility.toml"),
            "{name}: names the file\n{err}"
        );
        for e in *expected {
            assert!(err.contains(e), "{name}: expected {e:?} in\n{err}");
        }
        assert!(err.contains("hint:"), "{name}: says what to do\n{err}");
        assert!(!dir.path().join("facility.pdf").exists(), "{name}");
    }
}

#[test]
fn init_writes_a_starter_that_builds_at_once_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, wording, other) in [
        ("hospital", "当院", "当薬局"),
        ("clinic", "当院", "当薬局"),
        ("pharmacy", "当薬局", "当院"),
    ] {
        let toml = dir.path().join(format!("{kind}.toml"));
        let out = cyberbcp()
            .args(["init", "--kind", kind])
            .arg(&toml)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        let text = std::fs::read_to_string(&toml).unwrap();
        assert!(text.contains(&format!("kind = \"{kind}\"")));
        assert!(text.contains("03-6812-7837") && text.contains("igishitsu@mhlw.go.jp"));
        assert!(text.contains("○○"));

        let out = cyberbcp()
            .arg("build")
            .arg(&toml)
            .arg("--color=never")
            .output()
            .unwrap();
        assert!(out.status.success(), "{kind}: {}", stderr_of(&out));
        let err = stderr_of(&out);
        assert!(
            err.contains("ひな形の仮の文字「○○」"),
            "placeholders are pointed out"
        );
        let pdf = pdf_text(&std::fs::read(toml.with_extension("pdf")).unwrap());
        assert_contains(&pdf, "【未記入】");
        assert_contains(
            &pdf,
            "厚生労働省医政局特定医薬品開発支援・医療情報担当参事官室",
        );
        assert_contains(&pdf, wording);
        assert!(!pdf.contains(other), "{kind} wording only");

        // A second init never replaces the user's plan.
        std::fs::write(&toml, "# my plan\n").unwrap();
        let again = cyberbcp()
            .args(["init", "--kind", kind])
            .arg(&toml)
            .output()
            .unwrap();
        assert_eq!(again.status.code(), Some(1));
        assert!(stderr_of(&again).contains("上書きしません"));
        assert_eq!(std::fs::read_to_string(&toml).unwrap(), "# my plan\n");
    }
}

#[test]
fn init_ejects_templates_that_build_uses_file_by_file() {
    let dir = copy_fixture("pharmacy");
    let tpl = dir.path().join("tpl");
    let out = cyberbcp()
        .arg("init")
        .arg("--templates")
        .arg(&tpl)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    for (name, text) in cyberbcp::render::BUILTIN.iter() {
        assert_eq!(
            std::fs::read_to_string(tpl.join(name)).unwrap(),
            cyberbcp::render::stamped(name, text),
            "{name}"
        );
    }
    // Edit one template; remove another (the built-in is used for it).
    let ch4 = tpl.join("ch4.typ.tera");
    let text = std::fs::read_to_string(&ch4).unwrap();
    std::fs::write(
        &ch4,
        text.replace("== 4.1 報告", "== 4.1 報告（当薬局で改訂）"),
    )
    .unwrap();
    std::fs::remove_file(tpl.join("ch1.typ.tera")).unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(dir.path().join("facility.toml"))
        .arg("--templates")
        .arg(&tpl)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(!stderr_of(&out).contains("前の版"), "{}", stderr_of(&out));
    let pdf = pdf_text(&std::fs::read(dir.path().join("facility.pdf")).unwrap());
    assert_contains(&pdf, "4.1 報告（当薬局で改訂）");
    assert_contains(&pdf, "1.1 策定目的");
    // Ejecting again keeps the edited file.
    let again = cyberbcp()
        .arg("init")
        .arg("--templates")
        .arg(&tpl)
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(stderr_of(&again).contains("上書きしなかった"));
    assert!(
        std::fs::read_to_string(&ch4)
            .unwrap()
            .contains("当薬局で改訂")
    );
}

/// A folder ejected by an older cyberbcp: its stamp names a built-in that has
/// changed since. The build says so before anything else (and still builds);
/// a freshly ejected folder builds the same PDF as the built-ins, silently.
#[test]
fn templates_ejected_from_an_older_builtin_are_pointed_out() {
    let dir = copy_fixture("pharmacy");
    let tpl = dir.path().join("tpl");
    let eject = cyberbcp()
        .arg("init")
        .arg("--templates")
        .arg(&tpl)
        .output()
        .unwrap();
    assert!(eject.status.success(), "{}", stderr_of(&eject));
    let build = |extra: &[&str]| {
        cyberbcp()
            .current_dir(dir.path())
            .arg("build")
            .arg("facility.toml")
            .args(["--today", "2026-12-04"])
            .args(extra)
            .output()
            .unwrap()
    };
    let tpl_arg = tpl.to_str().unwrap();
    let fresh = build(&["--templates", tpl_arg, "-o", "fresh.pdf"]);
    assert!(fresh.status.success(), "{}", stderr_of(&fresh));
    assert!(
        !stderr_of(&fresh).contains("前の版"),
        "{}",
        stderr_of(&fresh)
    );
    let plain = build(&["-o", "plain.pdf"]);
    assert!(plain.status.success(), "{}", stderr_of(&plain));
    assert_eq!(
        std::fs::read(dir.path().join("fresh.pdf")).unwrap(),
        std::fs::read(dir.path().join("plain.pdf")).unwrap(),
        "the stamp lines change nothing in the PDF"
    );
    // The same lib.typ as ejected by a cyberbcp whose built-in differed.
    let lib = tpl.join("lib.typ");
    let text = std::fs::read_to_string(&lib).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let hex = first.split("版 ").nth(1).unwrap().get(..16).unwrap();
    std::fs::write(
        &lib,
        format!("{}\n{rest}", first.replace(hex, "0123456789abcdef")),
    )
    .unwrap();
    let old = build(&["--templates", tpl_arg, "-o", "old.pdf"]);
    assert!(old.status.success(), "{}", stderr_of(&old));
    let err = stderr_of(&old);
    assert!(
        err.contains("テンプレート lib.typ は前の版の cyberbcp から書き出したもの")
            && err.contains("cyberbcp init --templates 新しいフォルダ"),
        "{err}"
    );
    assert!(
        !err.contains("main.typ.tera"),
        "only the changed file is named: {err}"
    );
}

#[test]
fn check_lists_yearly_warnings_with_code_key_and_fix() {
    let out = cyberbcp()
        .args(["check", "--color=never", "--today", "2030-01-01"])
        .arg(fixture("clinic"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("見直しが必要な点"), "{table}");
    assert!(
        table.contains("⚠ [stale-review] revisions: 最後の改訂"),
        "{table}"
    );
    assert!(
        table.contains(
            "⚠ [backup-generations] backups[1].generations: 『レセコン』のバックアップが 2 世代です"
        ),
        "{table}"
    );
    let bad = cyberbcp()
        .args(["check", "--today", "2030-13-01"])
        .arg(fixture("clinic"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "clap usage error");
    assert!(stderr_of(&bad).contains("2025-04-01 の形"));
}

/// `build` the example into `dir/plan.pdf` with `--also ALSO`.
fn build_example_also(dir: &Path, also: &str) -> std::process::Output {
    let out = cyberbcp()
        .arg("build")
        .arg(example())
        .arg("-o")
        .arg(dir.join("plan.pdf"))
        .args(["--also", also])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    out
}

#[test]
fn build_also_writes_the_poster_the_form_and_the_disclosure_draft() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_example_also(dir.path(), "poster,form,disclosure");
    let read = |name: &str| {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        let pages = pdf_extract::extract_text_from_mem_by_pages(&bytes)
            .unwrap()
            .len();
        (pdf_text(&bytes), pages)
    };
    let (poster, pages) = read("plan-poster.pdf");
    assert_eq!(pages, 1, "the poster is one page");
    assert_contains_all(
        &poster,
        &[
            "サイバー攻撃・システム異常時の連絡先",
            "社会医療法人さくら会 さくら台総合病院",
            "医療情報管理室　システム係", // CSIRT first
            "内線 2101",
            "医療情報管理室長　高橋 健",
            "院長　桜井 一郎",
            "03-6812-7837",
            "045-000-0110",
        ],
    );
    let (form, _) = read("plan-form.pdf");
    assert_contains_all(
        &form,
        &[
            "システム異常報告書（様式第1号）",
            "提出先",
            "内線 2101",
            "発生部署",
            "発生個所",
            "発生日時",
            "連絡者",
            "異常の状態",
        ],
    );
    let (draft, _) = read("plan-disclosure.pdf");
    assert_contains_all(
        &draft,
        &[
            "知覚日時",
            "現象",
            "被害範囲",
            "想定される攻撃経路",
            "1次対応",
            "患者対応",
            "復旧状況",
            "事後対策",
            "事務部 総務課（広報担当）",
            "病院ホームページのお知らせ",
            // The report's number is a blank to fill, not the word 報 again.
            "（第【】報）",
        ],
    );
    assert!(!draft.contains("第【報】報"), "{draft}");
    assert!(stderr_of(&out).contains("plan-poster.pdf（1 ページ）"));
}

#[test]
fn a_broken_companion_leaves_every_previous_pdf_as_it_was() {
    let dir = copy_fixture("pharmacy");
    let tpl = dir.path().join("tpl");
    std::fs::create_dir(&tpl).unwrap();
    std::fs::write(
        tpl.join("form.typ.tera"),
        "#import \"lib.typ\": *\n#undefined-function()\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("facility.pdf"), b"%PDF-old").unwrap();
    std::fs::write(dir.path().join("facility-poster.pdf"), b"%PDF-old-poster").unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(dir.path().join("facility.toml"))
        .args(["--also", "poster,form", "--color=never"])
        .arg("--templates")
        .arg(&tpl)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(
        std::fs::read(dir.path().join("facility.pdf")).unwrap(),
        b"%PDF-old"
    );
    assert_eq!(
        std::fs::read(dir.path().join("facility-poster.pdf")).unwrap(),
        b"%PDF-old-poster"
    );
    assert!(!dir.path().join("facility-form.pdf").exists());
}

#[test]
fn the_checklist_xlsx_and_csv_are_filled_from_records_and_from_the_plan() {
    use calamine::{Reader as _, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    build_example_also(dir.path(), "checklist,xlsx,csv");

    let list = pdf_text(&std::fs::read(dir.path().join("plan-checklist.pdf")).unwrap());
    assert_contains_all(
        &list,
        &[
            "医療機関におけるサイバーセキュリティ対策チェックリスト（令和6年度版）",
            "医療機関確認用",
            "1回目の確認日：2026-05-14",
            "アクセスログを管理している。",
            "いいえ2026-09-30はい", // 2-(6)/server: いいえ, target, はい
            "はい（計画より）",     // 2-(1) proven by the device ledger
            // The TOML to write, with the quotes TOML needs (not “ ”).
            "item=\"2-(4)/server\"",
        ],
    );

    let mut book: Xlsx<_> = calamine::open_workbook(dir.path().join("plan.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["確認表", "チェックリスト"]);
    let sheet = book.worksheet_range("確認表").unwrap();
    let cell = |r: u32, c: u32| {
        sheet
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        (cell(2, 0), cell(2, 1), cell(2, 2), cell(2, 3)),
        (
            "項番".into(),
            "大項目".into(),
            "確認項目".into(),
            "確認欄".into()
        )
    );
    assert_eq!(cell(3, 0), "1");
    assert!(cell(3, 1).starts_with("平時（"));
    assert_eq!(cell(4, 0), "1-1");
    assert_eq!(
        cell(4, 2),
        "サーバ、端末PC、ネットワーク機器を把握できているか。"
    );
    assert_eq!(cell(4, 3), "✓ 記載済");
    assert_eq!(cell(4, 4), "2.1.3");
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(
        rows.len(),
        2 + 1 + 5 + 27,
        "title, blank, header, 5 大項目, 27 items"
    );

    let list = book.worksheet_range("チェックリスト").unwrap();
    let found = list
        .rows()
        .find(|r| {
            r.get(2)
                .is_some_and(|c| *c == "アクセスログを管理している。")
        })
        .expect("2-(6) row");
    let row: Vec<String> = found.iter().map(|c| c.to_string()).collect();
    assert_eq!(row[0], "2-(6)");
    assert_eq!(row[3], "いいえ（2026-05-14）");
    assert_eq!(row[4], "2026-09-30");
    assert_eq!(row[5], "はい（2026-11-13）");
    assert_eq!(row[6], "ログ管理サーバを 9 月に導入");

    let csv = std::fs::read(dir.path().join("plan-kakuninhyo.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(text.starts_with("項番,大項目,確認項目,確認欄,本計画の記載箇所,不足していること\r\n"));
    assert_eq!(text.lines().count(), 1 + 5 + 27);
    let list_csv =
        String::from_utf8(std::fs::read(dir.path().join("plan-checklist.csv")).unwrap()).unwrap();
    assert!(list_csv.contains("2-(1),2 医療情報システムの管理・運用　医療情報システム全般について、以下を実施している。,サーバ、端末PC、ネットワーク機器の台帳管理を行っている。,はい（2026-05-14）,,,計画のデータより,2-(1)"), "{list_csv}");
}

#[test]
fn an_unknown_checklist_item_is_refused_with_a_suggestion() {
    let dir = copy_fixture("pharmacy");
    let toml = dir.path().join("facility.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[checklist]\nfirst = 2025-05-01\n\n[[checklist.answers]]\nitem = \"2-(6)/sever\"\nfirst = true\n");
    std::fs::write(&toml, text).unwrap();
    let out = cyberbcp()
        .arg("check")
        .arg(&toml)
        .arg("--color=never")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("checklist.answers[0].item"), "{err}");
    assert!(err.contains("\"2-(6)/server\" のことですか？"), "{err}");
}

/// plans/: two facilities (one nested), a broken one, a non-facility TOML, and
/// folders that are never plans.
fn plans_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for sub in ["east", ".git", "target"] {
        std::fs::create_dir_all(p.join(sub)).unwrap();
    }
    std::fs::copy(fixture("clinic"), p.join("east/clinic.toml")).unwrap();
    std::fs::copy(fixture("pharmacy"), p.join("pharmacy.toml")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/pharmacy/network.png"),
        p.join("network.png"),
    )
    .unwrap();
    std::fs::copy(fixture("pharmacy"), p.join(".git/hidden.toml")).unwrap();
    std::fs::copy(fixture("pharmacy"), p.join("target/built.toml")).unwrap();
    std::fs::write(p.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    dir
}

#[test]
fn build_a_folder_in_parallel_with_summary_and_exit_code() {
    let plans = plans_dir();
    std::fs::write(
        plans.path().join("broken.toml"),
        "[facility]\nname = 5\nkind = \"clinic\"\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = |jobs: &str, dest: &Path| {
        cyberbcp()
            .arg("build")
            .arg(plans.path())
            .arg("--out-dir")
            .arg(dest)
            .arg("--summary")
            .arg(dest.join("summary.csv"))
            .args(["--jobs", jobs, "--color=never"])
            .output()
            .unwrap()
    };
    let one = run("1", &out.path().join("j1"));
    let err = stderr_of(&one);
    assert_eq!(
        one.status.code(),
        Some(2),
        "a bad file makes the exit code 2\n{err}"
    );
    assert!(
        err.contains("Cargo.toml: [facility] がないため施設の TOML ではありません（スキップ）"),
        "{err}"
    );
    assert!(
        err.contains("facility.name"),
        "the broken file's error is shown\n{err}"
    );
    assert!(err.contains("3 施設: 成功 2、入力の誤り 1"), "{err}");
    assert!(!err.contains("hidden.toml") && !err.contains("built.toml"));
    let j1 = out.path().join("j1");
    assert!(j1.join("east/clinic.pdf").is_file() && j1.join("pharmacy.pdf").is_file());
    let summary = std::fs::read(j1.join("summary.csv")).unwrap();
    assert!(summary.starts_with(b"\xEF\xBB\xBF"));
    let summary = String::from_utf8(summary[3..].to_vec()).unwrap();
    let rows: Vec<&str> = summary.lines().collect();
    assert_eq!(rows.len(), 4);
    assert!(
        rows[1].contains("broken.toml")
            && rows[1].contains("失敗")
            && rows[1].contains("facility.name")
    );
    assert!(
        rows[2].contains("east/clinic.toml,みどり内科クリニック,診療所,成功"),
        "{summary}"
    );
    assert!(rows[3].contains("pharmacy.toml,あおぞら薬局 駅前店,薬局,成功"));

    // Two jobs: the same files, byte for byte.
    let two = run("2", &out.path().join("j2"));
    assert_eq!(two.status.code(), Some(2));
    for f in ["east/clinic.pdf", "pharmacy.pdf"] {
        assert_eq!(
            std::fs::read(j1.join(f)).unwrap(),
            std::fs::read(out.path().join("j2").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn check_a_folder_gives_the_facility_by_item_matrix() {
    let plans = plans_dir();
    let check = |format: &str| {
        cyberbcp()
            .arg("check")
            .arg(plans.path())
            .args(["--format", format, "--color=never", "--today", "2026-07-01"])
            .output()
            .unwrap()
    };
    let table = check("table");
    assert_eq!(table.status.code(), Some(0));
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("平時     検知 初動対応 復旧処理 事後対応"),
        "{text}"
    );
    assert!(
        text.contains(
            "みどり内科クリニック         ✓✗✓✗△✓✗△ △✓△  △△△△△✓   ✓✓△△     △△△△△✗     7/27"
        ),
        "{text}"
    );
    assert!(
        text.contains("2 施設: 27 項目すべて記載済 0、不足あり 2"),
        "{text}"
    );

    let csv = check("csv");
    let bytes = csv.stdout;
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[0]
            .starts_with("ファイル,施設名,種類,記載済,既定文のみ,未記載,見直しの警告,1-1.1,1-1.2")
    );
    assert!(lines[0].ends_with("5-5,5-6"));
    assert!(lines[1].contains("みどり内科クリニック,診療所,7,16,4"));

    let json: serde_json::Value = serde_json::from_slice(&check("json").stdout).unwrap();
    let facilities = json["facilities"].as_array().unwrap();
    assert_eq!(facilities.len(), 2);
    assert_eq!(facilities[1]["facility"], "あおぞら薬局 駅前店");
    assert_eq!(facilities[1]["items"].as_array().unwrap().len(), 27);
    assert_eq!(json["errors"], serde_json::json!([]));

    let strict = cyberbcp()
        .arg("check")
        .arg(plans.path())
        .arg("--strict")
        .output()
        .unwrap();
    assert_eq!(strict.status.code(), Some(1));
    std::fs::write(plans.path().join("broken.toml"), "[facility]\nname = 5\n").unwrap();
    let broken = cyberbcp()
        .arg("check")
        .arg(plans.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&broken.stdout).unwrap();
    assert!(
        json["errors"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("broken.toml")
    );
}

/// A running `cyberbcp watch`, killed when dropped; its stderr goes to a file.
struct Watching {
    child: std::process::Child,
    log: PathBuf,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watching {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Wait (up to 30 s) until `done` holds.
    fn until(&self, what: &str, done: impl Fn() -> bool) {
        let start = std::time::Instant::now();
        while !done() {
            assert!(
                start.elapsed().as_secs() < 30,
                "timed out waiting for {what}\n{}",
                self.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

#[test]
fn watch_rebuilds_on_every_save_and_keeps_the_last_good_pdf() {
    watch_scenario(false);
}

/// Network drives and WSL: the same with polling instead of change events.
#[test]
fn watch_with_polling_does_the_same() {
    watch_scenario(true);
}

fn watch_scenario(poll: bool) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("examples")).unwrap();
    std::fs::copy(example(), p.join("facility.toml")).unwrap();
    for f in ["examples/devices.csv", "examples/network.svg"] {
        std::fs::copy(root().join(f), p.join(f)).unwrap();
    }
    let tpl = p.join("tpl");
    std::fs::create_dir(&tpl).unwrap();
    // The log lives outside the watched folder.
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("watch.log");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cyberbcp"))
        .arg("watch")
        .arg(p.join("facility.toml"))
        .arg("--templates")
        .arg(&tpl)
        .arg("--color=never")
        .args(poll.then_some("--poll"))
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let w = Watching { child, log };
    let pdf = p.join("facility.pdf");
    w.until("the first build", || pdf_has(&pdf, "さくら台総合病院"));

    // A field in the body.
    let toml = p.join("facility.toml");
    let edit = |from: &str, to: &str| {
        let text = std::fs::read_to_string(&toml).unwrap();
        assert!(text.contains(from));
        std::fs::write(&toml, text.replace(from, to)).unwrap();
    };
    edit(
        "システム異常報告書（様式第1号）",
        "システム異常報告書（様式第2号）",
    );
    w.until("the edited field", || pdf_has(&pdf, "様式第2号"));

    // A referenced file (the device CSV).
    let csv = p.join("examples/devices.csv");
    let mut ledger = std::fs::read_to_string(&csv).unwrap();
    ledger.push_str(
        "ZZ-999,Z社,Windows 11,追加端末,1.0,192.168.99.9,zz-pc,受付,医事課,2025/4/1,稼働,\n",
    );
    std::fs::write(&csv, ledger).unwrap();
    w.until("the new device", || pdf_has(&pdf, "ZZ-999"));

    // A template override.
    std::fs::write(
        tpl.join("ch4.typ.tera"),
        cyberbcp::render::BUILTIN
            .iter()
            .find(|(n, _)| *n == "ch4.typ.tera")
            .unwrap()
            .1
            .replace("== 4.1 報告", "== 4.1 報告（監視中に変更）"),
    )
    .unwrap();
    w.until("the template change", || pdf_has(&pdf, "監視中に変更"));

    // A broken save: the error is shown, the PDF stays, watching goes on.
    let good = std::fs::read(&pdf).unwrap();
    edit("kind = \"hospital\"", "kind = \"hosptial\"");
    w.until("the error", || w.log().contains("前の版のままです"));
    assert!(w.log().contains("facility.kind"));
    assert_eq!(std::fs::read(&pdf).unwrap(), good);
    edit("kind = \"hosptial\"", "kind = \"hospital\"");
    edit("様式第2号", "様式第3号");
    w.until("the fixed file", || pdf_has(&pdf, "様式第3号"));
}

/// `init` into a folder that does not exist yet makes it, as `cargo new`
/// does, with the schema beside the plan; the plan then reads.
#[test]
fn init_into_a_new_folder_makes_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("新店舗").join("facility.toml");
    let init = || {
        cyberbcp()
            .current_dir(dir.path())
            .args([
                "init",
                "--kind",
                "clinic",
                "新店舗/facility.toml",
                "--color=never",
            ])
            .output()
            .unwrap()
    };
    let out = init();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(plan.is_file());
    assert!(dir.path().join("新店舗/cyberbcp.schema.json").is_file());
    assert!(err.contains("フォルダ 新店舗 を作りました"), "{err}");
    assert!(!err.contains("os error"), "{err}");
    let out = cyberbcp().arg("check").arg(&plan).output().unwrap();
    assert!(
        out.status.code() == Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A second time: refused, naming the plan.
    let out = init();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("新店舗/facility.toml はすでにあります"),
        "{err}"
    );
}

/// A password in a plan: build, check and watch's validation name the key,
/// say where such things belong, and the message never repeats the value.
#[test]
fn a_password_is_warned_about_by_its_key() {
    for command in ["build", "check"] {
        let dir = copy_fixture("clinic");
        let toml = dir.path().join("facility.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        let edited = text.replace(
            "report_form = \"異常連絡メモ\"",
            "report_form = \"異常連絡メモ\"\ninvestigation = [\"機器の確認\", \"VPN 装置・ファイアウォールのログの確認（管理画面 https://10.1.2.3:8443/、admin / Sakura2024!）\"]",
        );
        assert_ne!(edited, text);
        std::fs::write(&toml, edited).unwrap();
        let out = cyberbcp()
            .arg(command)
            .arg(&toml)
            .arg("--color=never")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("warning: incident.investigation[1]: パスワード"),
            "{command}: {err}"
        );
        assert!(
            err.contains("封筒に封印") && err.contains("パスワード管理ソフト"),
            "{err}"
        );
        assert!(err.contains("facility.toml:"), "{command}: the line: {err}");
        // The message never repeats the value (the snippet quotes the user's own line).
        let message = err
            .lines()
            .find(|l| l.starts_with("warning: incident.investigation[1]"))
            .unwrap();
        assert!(!message.contains("Sakura2024"), "{command}: {message}");
        assert!(!err.contains("incident.investigation[0]"), "{err}");
    }
}

/// A password in the device ledger's file is named by file and 管理番号.
#[test]
fn a_password_in_the_ledger_file_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir(p.join("examples")).unwrap();
    std::fs::copy(
        root().join("examples/network.svg"),
        p.join("examples/network.svg"),
    )
    .unwrap();
    let csv = std::fs::read_to_string(root().join("examples/devices.csv")).unwrap();
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    // The first row's 説明 (the last column) is empty: write a password there.
    assert!(lines[1].ends_with(','), "{}", lines[1]);
    let id = lines[1].split(',').next().unwrap().to_string();
    lines[1] = format!("{}管理者 PW: Xy7#kq2", lines[1]);
    std::fs::write(p.join("examples/devices.csv"), lines.join("\n") + "\n").unwrap();
    std::fs::copy(example(), p.join("facility.toml")).unwrap();
    let out = cyberbcp()
        .arg("check")
        .arg(p.join("facility.toml"))
        .arg("--color=never")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "device_ledger.file: 機器台帳 examples/devices.csv の管理番号 {id} の"
        )),
        "{err}"
    );
    assert!(err.contains("パスワード管理ソフト"), "{err}");
}

/// A big ledger's devices on one OS out of support are one console line (with
/// the count, the first ids and where the full list is); the JSON keeps every
/// device. (The example's own two-device plans keep one line per device:
/// `check_lists_yearly_warnings_with_code_key_and_fix` and the snapshots.)
#[test]
fn many_devices_out_of_support_are_one_line_and_every_one_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::common::scale::write_scale_facility(dir.path(), 400, 0);
    let run = |format: &str| {
        let out = cyberbcp()
            .args([
                "check",
                "--color=never",
                "--today",
                "2026-11-24",
                "--format",
                format,
            ])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let table = run("table");
    // The review list: one line. (Under 1-1.4 the item's own hints name at
    // most three devices of a code and count the rest.)
    let eol: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("⚠ [eol-os]"))
        .collect();
    assert_eq!(eol.len(), 1, "{table}");
    let under_item = table
        .lines()
        .filter(|l| l.contains("→ 警告 [eol-os]"))
        .count();
    assert!(under_item <= 4, "{table}");
    assert!(table.lines().count() < 80, "{table}");
    assert!(
        eol[0].contains("devices.os（100 台）: 機器 PC-00000、PC-00004、PC-00008、PC-00012、PC-00016 ほか 95 台（計 100 台）の OS「Windows 11 Pro 23H2」"),
        "{}",
        eol[0]
    );
    assert!(eol[0].contains("check --format json"), "{}", eol[0]);
    assert!(table.lines().count() < 60, "{table}");
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let ids: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "eol-os")
        .map(|w| w["key"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 100);
    assert!(ids.contains(&"devices（管理番号 PC-00396）.os"), "{ids:?}");
}
