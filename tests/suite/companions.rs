//! One build configuration for build, watch and batches, and the companion
//! documents as declared in ONE table (src/render/companion.rs): the tests
//! below take their list from that table, so a new row is tested as it lands.

use std::path::Path;

use assert_cmd::Command;
use cyberbcp::render::companion::{COMPANIONS, Via};

use crate::common::*;

fn cyberbcp() -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file a row of the table writes beside `plan.pdf`.
fn every_output(dir: &Path) -> Vec<(std::path::PathBuf, bool)> {
    COMPANIONS
        .iter()
        .flat_map(|c| {
            let pdf = matches!(c.via, Via::Pdf { .. });
            c.outputs
                .iter()
                .map(move |s| (dir.join(format!("plan{s}")), pdf))
        })
        .collect()
}

#[test]
fn also_all_writes_every_document_of_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(example())
        .arg("-o")
        .arg(dir.path().join("plan.pdf"))
        .args(["--also", "all", "--color=never"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    for (path, pdf) in every_output(dir.path()) {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if pdf {
            assert!(bytes.starts_with(b"%PDF"), "{}", path.display());
        }
        assert!(
            err.contains(&format!("  + {}", path.display())),
            "{} not listed:\n{err}",
            path.display()
        );
    }
}

#[test]
fn also_help_lists_every_document_with_its_files() {
    let out = cyberbcp().args(["build", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for c in COMPANIONS {
        assert!(help.contains(c.name), "{} missing from --help", c.name);
        assert!(help.contains(&c.help()), "{help}");
    }
    assert!(help.contains("all"));
}

/// A broken template override is found once, before any facility is read,
/// not once per facility of a folder.
#[test]
fn a_broken_override_fails_once_up_front_for_a_folder() {
    let plans = tempfile::tempdir().unwrap();
    for i in 0..3 {
        let dir = plans.path().join(format!("f{i}"));
        std::fs::create_dir(&dir).unwrap();
        for entry in std::fs::read_dir(fixture("clinic").parent().unwrap()).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    let tpl = tempfile::tempdir().unwrap();
    std::fs::write(tpl.path().join("ch3.typ.tera"), "{{ t.no_such_term }}").unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(plans.path())
        .arg("--templates")
        .arg(tpl.path())
        .arg("--color=never")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert_eq!(
        err.matches("テンプレートの処理に失敗しました").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("ch3.typ.tera") || err.contains("main.typ.tera"),
        "{err}"
    );
    assert!(!err.contains("施設: 成功"), "no facility was tried:\n{err}");
    for i in 0..3 {
        assert!(!plans.path().join(format!("f{i}/facility.pdf")).exists());
    }
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `watch --also` remakes the companion documents with the plan and prints
/// the same summary as `build`, 確認表 line included.
#[test]
fn watch_makes_the_also_documents_and_the_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture("pharmacy").parent().unwrap()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("watch.log");
    let _child = Child(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("cyberbcp"))
            .arg("watch")
            .arg(dir.path().join("facility.toml"))
            .args(["--also", "poster,csv", "--color=never"])
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let poster = dir.path().join("facility-poster.pdf");
    let csv = dir.path().join("facility-kakuninhyo.csv");
    let start = std::time::Instant::now();
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    while !(poster.exists() && csv.exists() && read_log().contains("確認表 27 項目")) {
        assert!(start.elapsed().as_secs() < 60, "timed out:\n{}", read_log());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let text = read_log();
    assert!(text.contains("  + "), "{text}");
    assert!(pdf_text(&std::fs::read(&poster).unwrap()).contains("連絡"));
}

/// The starter's 【未記入】 boxes, in the plan and every printed companion:
/// what to write in plain Japanese first, then the key to fill.
#[test]
fn unfilled_boxes_say_what_to_write_then_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("facility.toml");
    let out = cyberbcp()
        .args(["init", "--kind", "clinic"])
        .arg(&toml)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = cyberbcp()
        .arg("build")
        .arg(&toml)
        .args([
            "--also",
            "poster,form,cards,announce,drill",
            "--color=never",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bare_key = regex::Regex::new(r"【未記入】[A-Za-z\[（]").unwrap();
    let mut boxes = 0;
    for name in [
        "facility",
        "facility-poster",
        "facility-form",
        "facility-cards",
        "facility-announce",
        "facility-drill",
    ] {
        let text = pdf_text(&std::fs::read(dir.path().join(format!("{name}.pdf"))).unwrap());
        assert!(
            bare_key.find(&text).is_none(),
            "{name}: {:?}",
            bare_key.find(&text)
        );
        boxes += text.matches("【未記入】").count();
        assert_eq!(
            text.matches("【未記入】").count(),
            text.matches("設定キー:").count(),
            "{name}: every box names its key"
        );
        if name == "facility" {
            assert_contains_all(
                &text,
                &[
                    "【未記入】ネットワーク構成図を記入してください。",
                    "設定キー:network.diagram",
                    "システム事業者の連絡先を記入してください。",
                    "設定キー:contacts.vendor",
                ],
            );
        }
    }
    assert!(boxes > 10, "{boxes}");
}

/// Build `toml` (text, in a copy of the clinic fixture's folder) with the
/// poster, the cards, the announcements and the drill kit; the text of the
/// plan, the poster, the cards, the announcements and the drill kit.
fn plan_poster_cards(toml: &str) -> (String, String, String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let from = fixture("clinic").parent().unwrap().to_path_buf();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let path = dir.path().join("facility.toml");
    std::fs::write(&path, toml).unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(&path)
        .args(["--also", "poster,cards,announce,drill", "--color=never"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let read = |name: &str| pdf_text(&std::fs::read(dir.path().join(name)).unwrap());
    (
        read("facility.pdf"),
        read("facility-poster.pdf"),
        read("facility-cards.pdf"),
        read("facility-announce.pdf"),
        read("facility-drill.pdf"),
    )
}

/// The first instruction to whoever finds the problem is the plan's own
/// (incident.first_actions), never a fixed sentence that could contradict its
/// 3.3.2: without it, the poster and the card defer to the phone and ask for it.
#[test]
fn the_finders_first_instruction_comes_from_the_plan() {
    let fixture_text = std::fs::read_to_string(fixture("clinic")).unwrap();
    assert!(!fixture_text.contains("first_actions"));
    let (plan, poster, cards, announce, drill) = plan_poster_cards(&fixture_text);
    assert!(!announce.contains("電源は切らず"), "{announce}");
    assert!(!drill.contains("電源は切らない"), "{drill}");
    for text in [&poster, &cards] {
        assert!(!text.contains("LANケーブルを抜かず"), "{text}");
        assert!(!text.contains("電源を切らず"), "{text}");
        assert!(!text.contains("電源は切らない"), "{text}");
        assert_contains_all(
            text,
            &[
                "機器の扱い",
                "は電話先の指示に従",
                "設定キー:incident.first_actions",
            ],
        );
    }
    assert!(!plan.contains("報告する前に次のことを行う"));

    let written = fixture_text.replacen(
        "[incident]\n",
        "[incident]\nfirst_actions = [\"作業を止める\", \"その端末の LAN ケーブルを抜く（電源は入れたまま）\"]\n",
        1,
    );
    let (plan, poster, cards, announce, drill) = plan_poster_cards(&written);
    for text in [&plan, &poster, &cards, &announce, &drill] {
        assert_contains_all(
            text,
            &[
                "作業を止める",
                "その端末の LAN ケーブルを抜く（電源は入れたまま）",
            ],
        );
        assert!(!text.contains("電話先の指示に従"), "{text}");
        assert!(!text.contains("設定キー:incident.first_actions"), "{text}");
    }
    assert_contains(&plan, "担当部門に報告する前に次のことを行う");
    // On the poster, before the first call.
    let at = |needle: &str| poster.find(&squash(needle)).unwrap();
    assert!(
        at("その端末の LAN ケーブルを抜く") < at("まず電話"),
        "{poster}"
    );
}

/// Every role's hours and night route, wherever the role is: the chief's on
/// the 連絡体制図, the poster and the cards, as the security manager's are.
#[test]
fn every_roles_hours_and_night_route_go_with_it() {
    let fixture_text = std::fs::read_to_string(fixture("clinic")).unwrap();
    let chief = "designation = \"chief\"\nphone = \"090-0000-1111\"\n";
    assert!(fixture_text.contains(chief));
    let written = fixture_text.replacen(
        chief,
        &format!(
            "{chief}email = \"midorikawa@example.jp\"\nhours = \"平日 9時〜17時（本社）\"\nnight = \"本社 守衛室 内線 9999\"\n"
        ),
        1,
    );
    let (plan, poster, cards, _, drill) = plan_poster_cards(&written);
    for (what, text) in [
        ("plan", &plan),
        ("poster", &poster),
        ("cards", &cards),
        ("drill", &drill),
    ] {
        for needle in ["平日 9時〜17時（本社）", "本社 守衛室 内線 9999"] {
            assert!(text.contains(&squash(needle)), "{what} lacks {needle:?}");
        }
    }
    for (what, text) in [("plan", &plan), ("poster", &poster)] {
        assert!(
            text.contains("midorikawa@example.jp"),
            "{what} lacks the chief's e-mail"
        );
    }
}
