//! `build --public`: the copy for outside readers. Every secret is taken
//! from the input itself and proven absent from the PDF text and metadata.

use std::path::Path;

use assert_cmd::Command;
use cyberbcp::model::{ContactCategory, Date};
use cyberbcp::pipeline::{self, Prepared};
use cyberbcp::render::Templates;
use cyberbcp::render::companion::{COMPANIONS, Via};
use regex::Regex;

use crate::common::*;

const LABEL: &str = "配布用（一部非表示）";
const MINISTRY: &str = "03-6812-7837";

/// What an attacker wants from the input: IPs, host names, mobile numbers,
/// personal e-mail addresses.
fn secrets_of(prepared: &Prepared) -> Vec<String> {
    let plan = &prepared.loaded.plan;
    let mut text = prepared.file().text.clone();
    if let Some(ledger) = &plan.device_ledger {
        text.push_str(
            &std::fs::read_to_string(prepared.loaded.base_dir.join(&ledger.file)).unwrap(),
        );
    }
    let ip = Regex::new(r"\b\d{1,3}(?:\.\d{1,3}){3}\b").unwrap();
    let mobile = Regex::new(r"0[789]0-\d{4}-\d{4}").unwrap();
    let mut found: Vec<String> = ip
        .find_iter(&text)
        .chain(mobile.find_iter(&text))
        .map(|m| m.as_str().to_string())
        .collect();
    found.extend(
        prepared
            .checked
            .devices
            .iter()
            .filter_map(|d| d.hostname.clone()),
    );
    found.extend(plan.roles.iter().filter_map(|r| r.email.clone()));
    found.extend(
        plan.contacts
            .iter()
            .filter(|c| c.category == ContactCategory::Internal)
            .filter_map(|c| c.email.clone()),
    );
    found.sort();
    found.dedup();
    found
}

/// Every text of the PDF's Info dictionary and XMP packet.
fn metadata_text(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let mut out = String::new();
    if let Ok(info) = doc.trailer.get(b"Info").and_then(|o| doc.dereference(o)) {
        for (_, v) in info.1.as_dict().unwrap().iter() {
            if let Ok(bytes) = doc.dereference(v).and_then(|(_, o)| o.as_str()) {
                out.push_str(&decode(bytes));
            }
        }
    }
    if let Ok(meta) = doc
        .catalog()
        .and_then(|c| c.get(b"Metadata"))
        .and_then(|o| doc.dereference(o))
        && let Ok(stream) = meta.1.as_stream()
    {
        let bytes = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
    out
}

fn decode(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => String::from_utf16_lossy(
            &utf16
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect::<Vec<_>>(),
        ),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn has_image(pdf: &[u8]) -> bool {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    doc.objects.values().any(|o| {
        o.as_stream()
            .ok()
            .and_then(|s| s.dict.get(b"Subtype").ok())
            .and_then(|t| t.as_name().ok())
            == Some(b"Image".as_slice())
    })
}

/// The public plan and companions of a prepared plan: (name, pdf bytes, pages).
fn public_documents(prepared: &Prepared) -> Vec<(String, Vec<u8>, usize)> {
    let templates = Templates::builtin();
    let rendered = prepared
        .render_with(&templates, Date::now(), true, None)
        .unwrap();
    let mut docs = Vec::new();
    let out = pipeline::compile(&rendered, prepared.date()).unwrap();
    docs.push(("plan".to_string(), out.pdf, out.pages));
    for which in COMPANIONS
        .iter()
        .filter(|c| matches!(c.via, Via::Pdf { .. }))
    {
        let doc = prepared
            .render_public_companion(&rendered, &templates, which)
            .unwrap();
        let out = pipeline::compile(&doc, prepared.date()).unwrap();
        docs.push((which.name.to_string(), out.pdf, out.pages));
    }
    docs
}

fn assert_public(path: &Path, expect_secrets: usize) {
    let prepared = pipeline::prepare_file(path).unwrap();
    let secrets = secrets_of(&prepared);
    assert!(
        secrets.len() >= expect_secrets,
        "{path:?}: only {secrets:?}"
    );
    // The internal copy does print them: the check below can fail.
    let internal = pipeline::compile(
        &prepared.render(&Templates::builtin()).unwrap(),
        prepared.date(),
    )
    .unwrap();
    let internal_text = pdf_text(&internal.pdf);
    assert!(secrets.iter().any(|s| internal_text.contains(&squash(s))));

    for (name, pdf, pages) in public_documents(&prepared) {
        let text = pdf_text(&pdf);
        let meta = metadata_text(&pdf);
        for s in &secrets {
            assert!(
                !text.contains(&squash(s)),
                "{path:?} {name}: {s:?} is printed"
            );
            assert!(
                !meta.contains(s.as_str()),
                "{path:?} {name}: {s:?} is in the metadata"
            );
        }
        assert!(
            text.matches(LABEL).count() >= pages,
            "{path:?} {name}: the label is not on each of {pages} pages"
        );
        assert!(!has_image(&pdf), "{path:?} {name}: an image is embedded");
        if name == "plan" || name == "poster" {
            assert!(
                text.contains(MINISTRY),
                "{path:?} {name}: the ministry's number is gone"
            );
        }
        if name == "plan" {
            assert!(
                meta.contains("配布用"),
                "{path:?}: the title says it is the public copy"
            );
        }
    }
}

#[test]
fn the_example_hides_every_ip_host_mobile_and_personal_address() {
    assert_public(&example(), 20);
}

#[test]
fn the_clinic_hides_every_ip_host_mobile_and_personal_address() {
    assert_public(&fixture("clinic"), 5);
}

#[test]
fn the_pharmacy_hides_every_ip_host_mobile_and_personal_address() {
    assert_public(&fixture("pharmacy"), 2);
}

#[test]
fn the_network_diagram_is_withheld_not_embedded() {
    let prepared = pipeline::prepare_file(&fixture("pharmacy")).unwrap();
    let internal = pipeline::compile(
        &prepared.render(&Templates::builtin()).unwrap(),
        prepared.date(),
    )
    .unwrap();
    assert!(
        has_image(&internal.pdf),
        "the internal copy shows the diagram"
    );
    let (_, pdf, _) = &public_documents(&prepared)[0];
    let text = pdf_text(pdf);
    assert!(text.contains(&squash("構成図は配布用の写しには掲載していません")));
    // Redacted is not missing: no 【未記入】 box for the diagram.
    assert!(!text.contains("設定キー:network.diagram"));
}

fn public_text_of(toml: &str, like: &Path) -> String {
    let prepared = pipeline::prepare_str(like, toml, like.parent().unwrap())
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let rendered = prepared
        .render_with(&Templates::builtin(), Date::now(), true, None)
        .unwrap();
    pdf_text(&pipeline::compile(&rendered, prepared.date()).unwrap().pdf)
}

#[test]
fn free_text_private_rows_and_listed_keys_are_hidden() {
    let path = fixture("clinic");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text
        .replace(
            "report_form = \"異常連絡メモ\"",
            "report_form = \"異常連絡メモ\"\nnotes = \"停止時は 10.0.0.5 の NAS と nas01.clinic.local を確認。院長の携帯 080-1111-2222、mori.taichi@gmail.example に連絡。厚労省 03-6812-7837。\"",
        )
        .replace(
            "person = \"受付主任　川口\"",
            "person = \"受付主任　川口\"\nprivate = true",
        )
        .replacen(
            "[[roles]]",
            "[distribution]\nredact = [\"facility.address\", \"backups.method\"]\n\n[[roles]]",
            1,
        );
    let pdf = public_text_of(&edited, &path);
    for hidden in [
        "10.0.0.5",
        "nas01.clinic.local",
        "080-1111-2222",
        "mori.taichi@gmail.example",
        "受付主任　川口",
        "さくら県みなと市港町4-5-6",
        "外付け HDD に取得し、終業時に取り外して金庫に保管",
    ] {
        assert!(!pdf.contains(&squash(hidden)), "{hidden:?} is printed");
    }
    assert_contains_all(
        &pdf,
        &[
            "停止時は",
            "厚労省03-6812-7837",
            "■■■",
            "配布用の写しのため非表示にした箇所",
        ],
    );
    // The same edits in the internal copy print everything.
    let internal = pipeline::prepare_str(&path, &edited, path.parent().unwrap()).unwrap();
    let internal = pipeline::compile(
        &internal.render(&Templates::builtin()).unwrap(),
        internal.date(),
    )
    .unwrap();
    let internal = pdf_text(&internal.pdf);
    assert_contains_all(
        &internal,
        &["10.0.0.5", "受付主任　川口", "さくら県みなと市港町4-5-6"],
    );
}

fn cyberbcp() -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

#[test]
fn the_public_copy_gets_its_own_name_and_never_overwrites_the_internal_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("clinic"), dir.path().join("facility.toml")).unwrap();
    let out = cyberbcp()
        .current_dir(dir.path())
        .args([
            "build",
            "facility.toml",
            "--public",
            "--also",
            "poster,disclosure",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    for name in [
        "facility-public.pdf",
        "facility-public-poster.pdf",
        "facility-public-disclosure.pdf",
    ] {
        let pdf = std::fs::read(dir.path().join(name)).unwrap();
        let text = pdf_text(&pdf);
        assert!(text.contains(LABEL), "{name}");
        assert!(!text.contains("090-0000-1111"), "{name}");
    }
    assert!(!dir.path().join("facility.pdf").exists());

    let out = cyberbcp()
        .current_dir(dir.path())
        .args(["build", "facility.toml", "--public", "-o", "facility.pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("内部用の PDF と同じ"));
}

#[test]
fn an_unknown_redact_key_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("clinic")).unwrap();
    let text = text.replacen(
        "[[roles]]",
        "[distribution]\nredact = [\"contacts.persons\"]\n\n[[roles]]",
        1,
    );
    std::fs::write(dir.path().join("facility.toml"), text).unwrap();
    let out = cyberbcp()
        .current_dir(dir.path())
        .args(["build", "facility.toml", "--public", "--color=never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("distribution.redact[0]"), "{stderr}");
    assert!(
        stderr.contains("\"contacts.person\" のことですか"),
        "{stderr}"
    );
}

/// Passwords, PINs and tokens (src/model/secrets.toml): the public copy
/// withholds each value, and keeps the sentence around it.
#[test]
fn passwords_and_pins_are_withheld() {
    let path = fixture("clinic");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replace(
        "report_form = \"異常連絡メモ\"",
        "report_form = \"異常連絡メモ\"\ninvestigation = [\"VPN 装置・ファイアウォールのログの確認（管理画面 https://10.1.2.3:8443/、admin / Sakura2024!）\", \"NAS のパスワード: Nas#2024pw で接続\", \"金庫の暗証番号 4821\", \"通知 ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5\"]",
    );
    assert_ne!(edited, text);
    let pdf = public_text_of(&edited, &path);
    for hidden in [
        "Sakura2024!",
        "admin/Sakura",
        "Nas#2024pw",
        "4821",
        "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5",
        "10.1.2.3",
    ] {
        assert!(!pdf.contains(&squash(hidden)), "{hidden:?} is printed");
    }
    assert_contains_all(
        &pdf,
        &[
            "VPN 装置・ファイアウォールのログの確認",
            "NAS のパスワード:■■■で接続",
            "金庫の暗証番号■■■",
        ],
    );
}

/// No false alarm: the ひな形's own sentences, the 確認表 and the three
/// examples hold no secret (「パスワードの定期的な変更」 is a measure).
#[test]
fn no_secret_is_found_in_the_hinagata_the_kakuninhyo_or_the_examples() {
    use cyberbcp::model::secrets;
    for file in [
        "tests/fixtures/hinagata/body.txt",
        "tests/fixtures/kakuninhyo/hospital.txt",
        "tests/fixtures/kakuninhyo/pharmacy.txt",
    ] {
        for line in std::fs::read_to_string(root().join(file)).unwrap().lines() {
            assert!(secrets::find(line).is_empty(), "{file}: {line}");
        }
    }
    assert!(secrets::find("パスワードの定期的な変更").is_empty());
    for plan in [
        example(),
        root().join("examples/clinic/facility.toml"),
        root().join("examples/pharmacy/facility.toml"),
        fixture("clinic"),
        fixture("pharmacy"),
    ] {
        let prepared = pipeline::prepare_file(&plan).unwrap();
        let warned: Vec<_> = prepared
            .warnings()
            .iter()
            .filter(|d| d.message.contains("秘密の値"))
            .collect();
        assert!(warned.is_empty(), "{}: {warned:?}", plan.display());
    }
}

/// 2.1.6 prints the remote-maintenance systems with their MDS/SDS record (no
/// commitment the ひな形 lacks); the public copy withholds the record.
#[test]
fn remote_maintenance_records_print_in_2_1_6_and_are_withheld_in_public() {
    let b = build_path(&example());
    assert!(!b.text.contains("保守回線の接続点"));
    assert_contains_all(
        &b.text,
        &[
            "リモートメンテナンス（保守）を利用するシステムと、事業者から受け取った MDS/SDS 等の記録は以下のとおり。",
            "MDS/SDS（2024年版）受領済み・保守契約に添付",
        ],
    );
    let text = std::fs::read_to_string(example()).unwrap();
    let public = public_text_of(&text, &example());
    assert!(!public.contains(&squash("MDS/SDS（2024年版）受領済み")));
    assert!(!public.contains("保守回線の接続点"));
}
