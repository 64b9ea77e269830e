//! A chain (issue 25): a head office's base file and three stores that
//! `extends` it (tests/fixtures/chain), read through the merge everywhere.

use std::path::{Path, PathBuf};

use crate::common::*;
use assert_cmd::Command;
use cyberbcp::pipeline;

fn cyberbcp() -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd.arg("--color=never");
    cmd
}

fn chain() -> PathBuf {
    root().join("tests/fixtures/chain")
}

/// The chain copied to a temp dir (hq.toml, network.png, stores/*.toml).
fn copy_chain() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(chain()) {
        let entry = entry.unwrap();
        let to = dir.path().join(entry.path().strip_prefix(chain()).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// `cyberbcp check FILE` (colourless).
fn check(file: &Path) -> std::process::Output {
    cyberbcp().arg("check").arg(file).output().unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn stores_read_the_base_override_a_contact_and_drop_a_system() {
    let store = |name: &str| pipeline::prepare_file(&chain().join("stores").join(name)).unwrap();
    let hospital = store("hospital.toml");
    let plan = &hospital.loaded.plan;
    // The base's rows first, then the store's own.
    let roles: Vec<&str> = plan.roles.iter().map(|r| r.role.as_str()).collect();
    assert_eq!(
        roles,
        [
            "最高責任者",
            "グループ CSIRT 責任者",
            "医療情報システム安全管理責任者"
        ]
    );
    assert_eq!(plan.systems.len(), 3);
    assert_eq!(
        hospital
            .checked
            .diagram
            .as_ref()
            .map(|d| !d.bytes.is_empty()),
        Some(true)
    );

    // The clinic's vendor row replaces the base's in place (same name).
    let clinic = store("clinic.toml");
    let vendors: Vec<(&str, &str)> = clinic
        .loaded
        .plan
        .contacts
        .iter()
        .map(|c| (c.name.as_str(), c.phone.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(vendors[1], ("メディカルシステム株式会社", "045-000-3111"));
    assert_eq!(
        vendors
            .iter()
            .filter(|(n, _)| *n == "メディカルシステム株式会社")
            .count(),
        1
    );

    // The pharmacy drops the base's 電子カルテ and its backup.
    let pharmacy = store("pharmacy.toml");
    let systems: Vec<&str> = pharmacy
        .loaded
        .plan
        .systems
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        systems,
        ["レセプトコンピュータ", "オンライン資格確認端末", "電子薬歴"]
    );
    assert!(
        pharmacy
            .loaded
            .plan
            .backups
            .iter()
            .all(|b| b.system != "電子カルテシステム")
    );
}

#[test]
fn an_error_in_the_base_is_reported_at_the_base_line() {
    let dir = copy_chain();
    let hq = dir.path().join("hq.toml");
    edit(&hq, "importance = \"medium\"", "importance = \"mediun\"");
    let line = std::fs::read_to_string(&hq)
        .unwrap()
        .lines()
        .position(|l| l.contains("mediun"))
        .unwrap()
        + 1;
    let out = check(&dir.path().join("stores/clinic.toml"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("hq.toml:{line}:")), "{err}");
    assert!(err.contains("共通ファイル"), "{err}");
    let in_store = err
        .split("clinic.toml:")
        .skip(1)
        .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    assert!(!in_store, "located in the store: {err}");

    // A syntax error in the base: the base's own line too.
    edit(&hq, "[vulnerability]", "[vulnerability");
    let out = cyberbcp()
        .arg("build")
        .arg(dir.path().join("stores/clinic.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let line = std::fs::read_to_string(&hq)
        .unwrap()
        .lines()
        .position(|l| l == "[vulnerability")
        .unwrap()
        + 1;
    assert!(
        text(&out.stderr).contains(&format!("hq.toml:{line}:")),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("stores/clinic.pdf").exists());
}

#[test]
fn a_cycle_and_a_missing_base_are_errors_at_the_extends_line() {
    let dir = copy_chain();
    let hq = dir.path().join("hq.toml");
    edit(
        &hq,
        "\n[[roles]]",
        "extends = \"stores/clinic.toml\"\n\n[[roles]]",
    );
    let out = check(&dir.path().join("stores/clinic.toml"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("循環"), "{}", text(&out.stderr));

    let store = dir.path().join("stores/hospital.toml");
    edit(&store, "\"../hq.toml\"", "\"../honbu.toml\"");
    let out = check(&store);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("hospital.toml:2:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_dir_knows_the_base_and_what_every_store_lacks() {
    let out = cyberbcp()
        .args(["check", "--today", "2025-07-01"])
        .arg(chain())
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("hq.toml: 共通ファイル"), "{stderr}");
    assert!(stdout.contains("3 施設: 27 項目すべて記載済 0"), "{stdout}");
    assert!(stdout.contains("すべての施設で不足しています"), "{stdout}");
    // An item only the pharmacy lacks is its own, not the chain's.
    let own = stdout.split("施設ごとの不足").nth(1).unwrap();
    let pharmacy = own.lines().find(|l| l.contains("pharmacy.toml")).unwrap();
    // (Its own: 3-6, the pharmacy's reporting lines; what every store lacks
    // is listed once above, not again here.)
    assert!(
        pharmacy.contains("3-6") && !pharmacy.contains("なし"),
        "{pharmacy}"
    );
    assert!(!pharmacy.contains("3-3"), "{pharmacy}");
    let clinic = own.lines().find(|l| l.contains("clinic.toml")).unwrap();
    assert!(clinic.contains("なし"), "{clinic}");
}

#[test]
fn diff_of_a_head_office_edit_lists_the_stores_it_changes() {
    let dir = copy_chain();
    let hq = dir.path().join("hq.toml");
    std::fs::copy(&hq, dir.path().join("hq.old.toml")).unwrap();
    edit(&hq, "\"0120-000-111\"", "\"0120-000-999\"");
    let out = cyberbcp()
        .current_dir(dir.path())
        .args(["diff", "--stores", "stores", "hq.old.toml", "hq.toml"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // The clinic and the pharmacy write their own row for that vendor.
    assert!(stdout.contains("変わるのは 1 施設"), "{stdout}");
    assert!(stdout.contains("hospital.toml"), "{stdout}");
    assert!(
        !stdout.contains("clinic.toml") && !stdout.contains("pharmacy.toml"),
        "{stdout}"
    );

    // An ordinary diff of one store reads each side with its base.
    let old_store = dir.path().join("stores/hospital-old.toml");
    std::fs::copy(dir.path().join("stores/hospital.toml"), &old_store).unwrap();
    edit(&old_store, "\"../hq.toml\"", "\"../hq.old.toml\"");
    let out = cyberbcp()
        .arg("diff")
        .arg(&old_store)
        .arg(dir.path().join("stores/hospital.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0120-000-999"),
        "{}",
        text(&out.stdout)
    );

    // --changes-from and a companion read both versions through their bases.
    let out = cyberbcp()
        .env("SOURCE_DATE_EPOCH", "1751209200")
        .arg("build")
        .arg(dir.path().join("stores/hospital.toml"))
        .arg("--changes-from")
        .arg(&old_store)
        .args(["--also", "poster"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(pdf_has(
        &dir.path().join("stores/hospital.pdf"),
        "前版からの主な変更点"
    ));
    assert!(pdf_has(
        &dir.path().join("stores/hospital-poster.pdf"),
        "0120-000-999"
    ));
}

#[test]
fn batch_builds_each_store_never_the_base_and_never_writes_over_it() {
    let dir = copy_chain();
    let out = cyberbcp()
        .env("SOURCE_DATE_EPOCH", "1751209200")
        .arg("build")
        .arg(dir.path())
        .arg("--summary")
        .arg(dir.path().join("summary.csv"))
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("hq.toml: 共通ファイル"), "{stderr}");
    assert!(!dir.path().join("hq.pdf").exists());
    for store in ["hospital", "clinic", "pharmacy"] {
        let pdf = std::fs::read(dir.path().join(format!("stores/{store}.pdf"))).unwrap();
        let text = pdf_text(&pdf);
        // The head office's rows print in every store's plan.
        assert!(text.contains("グループCSIRT責任者"), "{store}");
    }
    let pharmacy = pdf_text(&std::fs::read(dir.path().join("stores/pharmacy.pdf")).unwrap());
    assert!(!pharmacy.contains("電子カルテシステム"));
    let clinic = pdf_text(&std::fs::read(dir.path().join("stores/clinic.pdf")).unwrap());
    assert!(clinic.contains("045-000-3111") && !clinic.contains("0120-000-111"));
    let summary = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 4, "{summary}");

    // No output may replace the base (or what it names): refused, the file kept.
    for input in ["hq.toml", "network.png"] {
        let before = std::fs::read(dir.path().join(input)).unwrap();
        let out = cyberbcp()
            .arg("build")
            .arg(dir.path().join("stores/clinic.toml"))
            .arg("-o")
            .arg(dir.path().join(input))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert_eq!(std::fs::read(dir.path().join(input)).unwrap(), before);
    }
}

/// A broken base: recognised as the base (not a failing plan), its error
/// shown once, every store that reads it counted as not built.
#[test]
fn batch_with_a_broken_base_shows_its_error_once() {
    let dir = copy_chain();
    edit(
        &dir.path().join("hq.toml"),
        "[vulnerability]",
        "[vulnerability",
    );
    let out = cyberbcp().arg("build").arg(dir.path()).output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("hq.toml: 共通ファイル"), "{err}");
    assert_eq!(err.matches("[vulnerability\n").count(), 1, "{err}");
    assert!(err.contains("3 施設: 成功 0、入力の誤り 3"), "{err}");
}

#[test]
fn the_public_copy_reads_through_the_base() {
    let dir = copy_chain();
    let out = cyberbcp()
        .env("SOURCE_DATE_EPOCH", "1751209200")
        .arg("build")
        .arg("--public")
        .arg(dir.path().join("stores/hospital.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let public = std::fs::read_dir(dir.path().join("stores"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .unwrap();
    let text = pdf_text(&std::fs::read(public).unwrap());
    assert!(text.contains("グループCSIRT責任者"));
}

/// `watch` on a store rebuilds when its base (outside the store's folder) is saved.
#[test]
fn watch_rebuilds_when_the_base_changes() {
    let dir = copy_chain();
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("watch.log");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cyberbcp"))
        .arg("watch")
        .arg(dir.path().join("stores/hospital.toml"))
        .arg("--color=never")
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let pdf = dir.path().join("stores/hospital.pdf");
    let until = |what: &str, done: &dyn Fn() -> bool| {
        let start = std::time::Instant::now();
        while !done() {
            if start.elapsed().as_secs() > 60 {
                return Err(format!(
                    "timed out waiting for {what}\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Ok(())
    };
    let result = until("the first build", &|| pdf_has(&pdf, "さくら中央病院")).and_then(|()| {
        edit(
            &dir.path().join("hq.toml"),
            "グループ CSIRT 責任者",
            "グループ CSIRT 統括",
        );
        until("the base's edit", &|| pdf_has(&pdf, "グループ CSIRT 統括"))
    });
    let _ = child.kill();
    let _ = child.wait();
    result.unwrap();
}

#[test]
fn init_extends_writes_a_store_starter_that_reads_its_base() {
    let dir = copy_chain();
    let out = cyberbcp()
        .current_dir(dir.path())
        .args([
            "init",
            "stores/new.toml",
            "--kind",
            "pharmacy",
            "--extends",
            "../hq.toml",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let starter = std::fs::read_to_string(dir.path().join("stores/new.toml")).unwrap();
    assert!(
        starter.starts_with("#:schema ./cyberbcp.base.schema.json\n"),
        "{starter}"
    );
    assert!(starter.contains("extends = \"../hq.toml\""));
    // Only what a store fills: no vendors, systems or backups of its own.
    for table in ["[[systems]]", "[[backups]]", "[incident]", "[training]"] {
        assert!(
            !starter.lines().any(|l| l == table),
            "{table} in the store starter"
        );
    }
    assert!(starter.contains("保健所") && starter.contains("警察署"));
    assert!(starter.contains("# [drop]"));
    // Every key line is explained, from the schema.
    assert!(
        starter
            .lines()
            .any(|l| l.starts_with("extends = ") && l.contains("# 共通ファイル"))
    );
    let schema =
        std::fs::read_to_string(dir.path().join("stores/cyberbcp.base.schema.json")).unwrap();
    assert!(schema.contains("facility-base.schema.json"));
    // With the base under it, the starter is a plan (its ○○ are only warnings).
    let out = check(&dir.path().join("stores/new.toml"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("○○薬局"));
}

#[test]
fn drop_and_row_keys_are_one_list() {
    let keys = cyberbcp::schema::keys();
    for (path, _) in cyberbcp::model::ROW_KEYS {
        assert!(
            keys.iter().any(|k| k.path == format!("drop.{path}")),
            "[drop] cannot name rows of {path}"
        );
    }
}

#[test]
fn a_drop_without_extends_and_an_unknown_row_are_errors() {
    let dir = copy_chain();
    let store = dir.path().join("stores/pharmacy.toml");
    edit(
        &store,
        "systems = [\"電子カルテシステム\"]",
        "systems = [\"電子カルテシステムズ\"]",
    );
    let out = check(&store);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("drop.systems") && err.contains("「電子カルテシステム」のことですか"),
        "{err}"
    );

    let plain = dir.path().join("plain.toml");
    std::fs::write(
        &plain,
        "[facility]\nname = \"x\"\nkind = \"clinic\"\n[drop]\nsystems = [\"a\"]\n",
    )
    .unwrap();
    let out = check(&plain);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("plain.toml:4:"),
        "{}",
        text(&out.stderr)
    );
}
