//! Authoring without the source: the starter, the schema editors read, the
//! example, the ledgers offices keep (.xlsx, Shift_JIS CSV), one phone rule,
//! and messages that fit the command.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};

use crate::common::*;

fn cyberbcp() -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const KINDS: [&str; 3] = ["hospital", "clinic", "pharmacy"];

/// Keys a kind's starter leaves out on purpose, with why.
fn left_out(kind: &str, path: &str) -> bool {
    // beds on a pharmacy is warned about (not a pharmacy's key).
    // A chain's keys are in the store starter (`init --extends`, tests/suite/chain.rs).
    kind == "pharmacy" && path == "facility.beds"
        || path == "extends"
        || path == "drop"
        || path.starts_with("drop.")
}

/// `cyberbcp init --kind KIND` in a fresh folder: (folder, starter text).
fn starter(kind: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("facility.toml");
    let out = cyberbcp()
        .args(["init", "--kind", kind])
        .arg(&toml)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = std::fs::read_to_string(&toml).unwrap();
    (dir, text)
}

/// The starter with every example line switched on (`# key = …`, `# [table]`).
fn uncommented(text: &str) -> String {
    let re = regex::Regex::new(r"^# (\[|[a-z_]+ = )").unwrap();
    text.lines()
        .map(|l| if re.is_match(l) { &l[2..] } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every dotted key path of a TOML document (array indices dropped).
fn paths(value: &toml::Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        toml::Value::Table(table) => {
            for (k, v) in table {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(path.clone());
                paths(v, &path, out);
            }
        }
        toml::Value::Array(items) => {
            for item in items {
                if item.is_table() {
                    paths(item, prefix, out);
                }
            }
        }
        _ => {}
    }
}

fn schema_paths() -> BTreeSet<String> {
    cyberbcp::schema::keys()
        .into_iter()
        .map(|k| k.path)
        .collect()
}

/// TOML → the JSON an editor validates: dates as strings of format "date".
fn to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => json!(s),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Datetime(d) => json!(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Validate TOML text against `cyberbcp schema` with a JSON Schema validator.
fn validate(text: &str) -> Result<(), String> {
    let schema = cyberbcp::schema::schema();
    let id = schema["$id"].as_str().unwrap().to_string();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource(&id, schema).unwrap();
    let index = compiler.compile(&id, &mut schemas).unwrap();
    let doc: toml::Value = toml::from_str(text).map_err(|e| e.to_string())?;
    schemas
        .validate(&to_json(&doc), index)
        .map_err(|e| format!("{e:#}"))
}

#[test]
fn every_schema_key_is_explained_in_every_kinds_starter() {
    let keys = cyberbcp::schema::keys();
    for kind in KINDS {
        let (_dir, text) = starter(kind);
        assert!(
            text.starts_with("#:schema ./cyberbcp.schema.json\n"),
            "{kind}"
        );
        let on = uncommented(&text);
        let doc: toml::Value = toml::from_str(&on).unwrap_or_else(|e| {
            panic!("{kind}: the starter with every example switched on is TOML: {e}\n{on}")
        });
        let mut found = BTreeSet::new();
        paths(&doc, "", &mut found);
        for key in &keys {
            if left_out(kind, &key.path) {
                assert!(
                    !found.contains(&key.path),
                    "{kind}: {} should be left out",
                    key.path
                );
                continue;
            }
            assert!(
                found.contains(&key.path),
                "{kind}: the starter never mentions {}",
                key.path
            );
            if !key.table {
                // The key's line carries the schema's explanation.
                let name = key.path.rsplit('.').next().unwrap();
                let explained = text.lines().any(|l| {
                    l.trim_start_matches("# ")
                        .starts_with(&format!("{name} = "))
                        && l.contains(&format!("# {}", key.description))
                });
                assert!(
                    explained,
                    "{kind}: {} lacks its explanation {:?}",
                    key.path, key.description
                );
            }
        }
        // With every example switched on it is still a plan the tool reads…
        cyberbcp::model::load_str("starter.toml", on.clone(), ".")
            .unwrap_or_else(|e| panic!("{kind}: {:?}", e.diagnostics));
        // …and one the schema accepts, as it is and switched on.
        validate(&text).unwrap_or_else(|e| panic!("{kind} starter: {e}"));
        validate(&on).unwrap_or_else(|e| panic!("{kind} starter switched on: {e}"));
    }
}

#[test]
fn every_key_of_the_example_and_the_fixtures_is_in_the_schema() {
    let known = schema_paths();
    let mut files = vec![example()];
    for case in ["clinic", "pharmacy"] {
        files.push(fixture(case));
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let doc: toml::Value = toml::from_str(&text).unwrap();
        let mut found = BTreeSet::new();
        paths(&doc, "", &mut found);
        let unknown: Vec<_> = found.difference(&known).collect();
        assert!(
            unknown.is_empty(),
            "{}: not in the schema: {unknown:?}",
            file.display()
        );
        validate(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
}

#[test]
fn the_schema_rejects_a_misspelt_key_a_bad_enum_and_a_missing_required_key() {
    let text = std::fs::read_to_string(fixture("clinic")).unwrap();
    for (what, bad) in [
        (
            "misspelt key",
            text.replacen("[[backups]]", "[[backup]]", 1),
        ),
        (
            "bad enum",
            text.replacen("kind = \"clinic\"", "kind = \"clinik\"", 1),
        ),
        (
            "misspelt nested key",
            text.replacen("name = ", "nmae = ", 1),
        ),
        (
            "date as text of the wrong shape",
            text.replacen(
                "[[revisions]]",
                "[[revisions]]\ndate = \"昨日\"\nversion = \"x\"\nsummary = \"x\"\n[[revisions]]",
                1,
            ),
        ),
    ] {
        assert_ne!(bad, text, "{what}: the edit applies");
        assert!(validate(&bad).is_err(), "{what} passes the schema");
    }
    let schema = cyberbcp::schema::schema();
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["required"], json!(["facility"]));
    let kind = schema.pointer("/definitions/Kind").unwrap().to_string();
    for k in ["hospital", "clinic", "pharmacy"] {
        assert!(kind.contains(k), "{kind}");
    }
    let item = schema
        .pointer("/definitions/ChecklistAnswer/properties/item/enum")
        .unwrap();
    assert!(item.as_array().unwrap().contains(&json!("2-(4)/server")));
}

#[test]
fn schema_prints_what_init_writes_beside_the_starter() {
    let (dir, _) = starter("clinic");
    let written = std::fs::read_to_string(dir.path().join("cyberbcp.schema.json")).unwrap();
    let out = cyberbcp().arg("schema").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), written);
    let v: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(
        v.pointer("/definitions/Facility/properties/name/description"),
        Some(&json!("施設名"))
    );
    // -o writes the file.
    let file = dir.path().join("s.json");
    let out = cyberbcp()
        .args(["schema", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);
    // Someone else's file of that name is left alone.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("cyberbcp.schema.json"), "{}").unwrap();
    let out = cyberbcp()
        .args(["init", "--kind", "clinic"])
        .arg(other.path().join("f.toml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(other.path().join("cyberbcp.schema.json")).unwrap(),
        "{}"
    );
}

#[test]
fn init_example_writes_a_plan_that_builds_with_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("例");
    let out = cyberbcp()
        .args(["init", "--example"])
        .arg(&target)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    for f in [
        "facility.toml",
        "examples/devices.csv",
        "examples/network.svg",
        "cyberbcp.schema.json",
    ] {
        assert!(target.join(f).is_file(), "{f}");
    }
    let text = std::fs::read_to_string(target.join("facility.toml")).unwrap();
    assert!(text.starts_with("#:schema ./cyberbcp.schema.json\n"));
    validate(&text).unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(target.join("facility.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let pdf = pdf_text(&std::fs::read(target.join("facility.pdf")).unwrap());
    assert_contains_all(&pdf, &["さくら台総合病院", "SV-001", "PC-402"]);
    // A second run replaces nothing.
    let again = cyberbcp()
        .args(["init", "--example"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr_of(&again).contains("上書きしません"));
}

#[test]
fn init_example_of_each_kind_builds_without_warnings() {
    let names = [
        ("hospital", "さくら台総合病院"),
        ("clinic", "みどり内科クリニック"),
        ("pharmacy", "あおぞら薬局 駅前店"),
    ];
    for (kind, name) in names {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("例");
        let out = cyberbcp()
            .args(["init", "--kind", kind, "--example"])
            .arg(&target)
            .output()
            .unwrap();
        assert!(out.status.success(), "{kind}: {}", stderr_of(&out));
        let text = std::fs::read_to_string(target.join("facility.toml")).unwrap();
        validate(&text).unwrap();
        assert!(text.contains(&format!("kind = \"{kind}\"")), "{kind}");
        // A pinned day (2026-11-23): reviews and drills are recent, nothing is missing.
        let out = cyberbcp()
            .env("SOURCE_DATE_EPOCH", "1795392000")
            .args(["--color", "never", "build"])
            .arg(target.join("facility.toml"))
            .args(["--also", "all"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert!(out.status.success(), "{kind}: {err}");
        for noise in ["⚠", "warning", "【未記入】", "既定文のみ 0・未記載 0"] {
            let expected = noise.starts_with("既定文");
            assert_eq!(err.contains(noise), expected, "{kind}: {noise:?} in\n{err}");
        }
        let pdf = pdf_text(&std::fs::read(target.join("facility.pdf")).unwrap());
        assert_contains_all(&pdf, &[name]);
    }
}

/// The example plan in `dir` with its ledger replaced by `ledger` (TOML lines).
fn example_with_ledger(dir: &Path, ledger: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(example()).unwrap();
    let text = text.replace("[device_ledger]\nfile = \"examples/devices.csv\"\n", ledger);
    let text = text.replace("examples/network.svg", "network.svg");
    std::fs::copy(root().join("examples/network.svg"), dir.join("network.svg")).unwrap();
    let toml = dir.join("facility.toml");
    std::fs::write(&toml, text).unwrap();
    toml
}

fn ledger_rows() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(root().join("examples/devices.csv")).unwrap();
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn build_ok(toml: &Path) -> String {
    let out = cyberbcp()
        .arg("build")
        .arg(toml)
        .arg("--color=never")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    pdf_text(&std::fs::read(toml.with_extension("pdf")).unwrap())
}

fn build_err(toml: &Path) -> String {
    let out = cyberbcp()
        .arg("build")
        .arg(toml)
        .arg("--color=never")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    stderr_of(&out)
}

/// A workbook as Excel saves one: a cover sheet first when asked, dates as
/// date cells, version numbers as numbers.
fn write_xlsx(path: &Path, sheet: &str, cover_first: bool, rows: &[Vec<String>]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    if cover_first {
        let cover = book.add_worksheet();
        cover.set_name("表紙").unwrap();
        cover.write_string(0, 0, "情報機器台帳").unwrap();
    }
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    let date = Format::new().set_num_format("yyyy/m/d");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r > 0 && c == 9 {
                let d = cyberbcp::model::Date::parse(cell).unwrap();
                let dt = ExcelDateTime::from_ymd(d.year, d.month, d.day).unwrap();
                ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
            } else if let (true, Ok(n)) = (r > 0 && c == 4, cell.parse::<f64>()) {
                ws.write_number(r, c, n).unwrap();
            } else if !cell.is_empty() {
                ws.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

#[test]
fn an_xlsx_ledger_builds_and_its_device_ids_reach_the_pdf() {
    let rows = ledger_rows();
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();

    // The first sheet, unnamed in the TOML.
    let dir = tempfile::tempdir().unwrap();
    write_xlsx(&dir.path().join("台帳.xlsx"), "Sheet1", false, &rows);
    let toml = example_with_ledger(dir.path(), "[device_ledger]\nfile = \"台帳.xlsx\"\n");
    let pdf = build_ok(&toml);
    assert_contains_all(&pdf, &ids);
    // Date cells arrive as dates, version numbers as the text Excel shows.
    assert_contains_all(&pdf, &["emr-db01", "2022-10-01", "5.2"]);

    // A named sheet behind a cover sheet.
    let dir = tempfile::tempdir().unwrap();
    write_xlsx(&dir.path().join("ledger.xlsx"), "機器", true, &rows);
    let toml = example_with_ledger(
        dir.path(),
        "[device_ledger]\nfile = \"ledger.xlsx\"\nsheet = \"機器\"\n",
    );
    assert_contains_all(&build_ok(&toml), &ids);

    // A sheet that is not there: the sheets that are.
    let toml = example_with_ledger(
        dir.path(),
        "[device_ledger]\nfile = \"ledger.xlsx\"\nsheet = \"台帳\"\n",
    );
    let err = build_err(&toml);
    assert!(
        err.contains("device_ledger.sheet")
            && err.contains("「台帳」")
            && err.contains("表紙、機器"),
        "{err}"
    );

    // A bad cell: the sheet, the row and the column.
    let mut bad = rows.clone();
    bad[3][9] = "来月".into();
    let dir = tempfile::tempdir().unwrap();
    let mut text_rows = bad.clone();
    for r in &mut text_rows[1..] {
        r[9] = r[9].replace('/', "-");
    }
    write_xlsx_text(&dir.path().join("l.xlsx"), &text_rows);
    let toml = example_with_ledger(dir.path(), "[device_ledger]\nfile = \"l.xlsx\"\n");
    let err = build_err(&toml);
    assert!(
        err.contains("シート「Sheet1」")
            && err.contains("4 行目")
            && err.contains("J 列（登録日）")
            && err.contains("来月"),
        "{err}"
    );
}

/// Every cell as text (what a user who typed dates as text has).
fn write_xlsx_text(path: &Path, rows: &[Vec<String>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, cell).unwrap();
        }
    }
    book.save(path).unwrap();
}

#[test]
fn a_shift_jis_csv_ledger_as_excel_saves_it_builds() {
    let csv = std::fs::read_to_string(root().join("examples/devices.csv")).unwrap();
    // Excel's plain 「CSV（コンマ区切り）」: CP932, CRLF, with CP932's own characters.
    let csv = csv.replace('\n', "\r\n").replace(
        "サーバ室,医療情報管理室,2022/10/1",
        "サーバ室①,㈱医療情報,2022/10/1",
    );
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&csv);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("devices.csv"), &bytes).unwrap();
    let toml = example_with_ledger(dir.path(), "[device_ledger]\nfile = \"devices.csv\"\n");
    let pdf = build_ok(&toml);
    assert_contains_all(
        &pdf,
        &["SV-001", "SV-004", "PC-402", "サーバ室①", "㈱医療情報"],
    );

    // UTF-8 with a BOM (Excel's 「CSV UTF-8」) too.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(csv.as_bytes());
    std::fs::write(dir.path().join("devices.csv"), &bom).unwrap();
    assert_contains_all(&build_ok(&toml), &["SV-001", "㈱医療情報"]);

    // Neither: said so, with what to do.
    std::fs::write(dir.path().join("devices.csv"), b"\xFF\xFE\x00\x00\x81").unwrap();
    let err = build_err(&toml);
    assert!(err.contains("UTF-8 でも Shift_JIS でもありません"), "{err}");
}

#[test]
fn one_phone_rule_everywhere_and_the_note_prints_beside_the_number() {
    let text = std::fs::read_to_string(fixture("pharmacy")).unwrap();
    let like = fixture("pharmacy");
    // A number with a bracketed note passes wherever a phone appears…
    let noted = text.replacen(
        "[facility]",
        "[facility]\nphone = \"045-000-1234（店舗代表）\"",
        1,
    );
    let built = build_text(&noted, &like);
    assert!(
        !built
            .prepared
            .warnings()
            .iter()
            .any(|w| w.message.contains("電話番号に見えません")),
        "{:?}",
        built.prepared.warnings()
    );
    // …and words instead of a number warn wherever they appear, roles too.
    let prepared = cyberbcp::pipeline::prepare_str(
        &like,
        &text.replacen("phone = \"045-000-9000\"", "phone = \"夜は携帯\"", 1),
        like.parent().unwrap(),
    )
    .unwrap();
    let w = prepared
        .warnings()
        .iter()
        .find(|w| w.message.contains("電話番号に見えません"))
        .expect("roles.phone is judged too");
    assert!(
        w.key.as_deref().unwrap().starts_with("roles[0].phone"),
        "{w:?}"
    );
    assert!(w.hints.iter().any(|h| h.contains("phone_note")), "{w:?}");

    // phone_note prints beside the number.
    let with_note = text.replacen(
        "category = \"agency\"",
        "category = \"agency\"\nphone_note = \"平日 8:30〜17:15\"",
        1,
    );
    assert_ne!(with_note, text);
    let built = build_text(&with_note, &like);
    assert_contains(&built.text, "（平日8:30〜17:15）");
}

#[test]
fn beds_on_a_pharmacy_warns() {
    let like = fixture("pharmacy");
    let text = std::fs::read_to_string(&like).unwrap();
    let text = text.replacen("[facility]", "[facility]\nbeds = 10", 1);
    let prepared = cyberbcp::pipeline::prepare_str(&like, &text, like.parent().unwrap()).unwrap();
    assert!(
        prepared
            .warnings()
            .iter()
            .any(|w| w.key.as_deref() == Some("facility.beds")),
        "{:?}",
        prepared.warnings()
    );
    let clinic = fixture("clinic");
    let text = std::fs::read_to_string(&clinic).unwrap().replacen(
        "[facility]",
        "[facility]\nbeds = 19",
        1,
    );
    let prepared =
        cyberbcp::pipeline::prepare_str(&clinic, &text, clinic.parent().unwrap()).unwrap();
    assert!(
        !prepared
            .warnings()
            .iter()
            .any(|w| w.key.as_deref() == Some("facility.beds"))
    );
}

#[test]
fn messages_fit_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("f.toml");
    std::fs::write(&toml, "[facility]\nname = \"x\"\nkind = \"clinik\"\n").unwrap();
    let check = cyberbcp().arg("check").arg(&toml).output().unwrap();
    assert_eq!(check.status.code(), Some(2));
    let err = stderr_of(&check);
    assert!(
        !err.contains("PDF") && err.contains("確認表を判定していません"),
        "{err}"
    );
    let build = cyberbcp().arg("build").arg(&toml).output().unwrap();
    assert!(stderr_of(&build).contains("PDF は作成していません"));
}

#[test]
fn a_batch_build_shows_each_facilitys_warning_texts() {
    let dir = tempfile::tempdir().unwrap();
    let from = fixture("pharmacy").parent().unwrap().to_path_buf();
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let toml = dir.path().join("facility.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replacen("[facility]", "[facility]\nbeds = 3", 1),
    )
    .unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(dir.path())
        .args(["--jobs", "1", "--color=never"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("facility.beds") && err.contains("病院・有床診療所のキー"),
        "{err}"
    );
}

#[test]
fn svg_generic_families_are_drawn_in_the_embedded_fonts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("net.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80"><rect x="1" y="1" width="200" height="40" fill="none" stroke="black"/><text x="10" y="28" font-family="sans-serif" font-size="18">電子カルテサーバ</text><text x="10" y="70" style="font-family: serif">外部接続</text></svg>"#,
    )
    .unwrap();
    let like = dir.path().join("facility.toml");
    let text = std::fs::read_to_string(fixture("clinic")).unwrap();
    let text = regex::Regex::new(r#"diagram = "[^"]*""#)
        .unwrap()
        .replace(&text, r#"diagram = "net.svg""#)
        .into_owned();
    let text = if text.contains("net.svg") {
        text
    } else {
        format!("{text}\n[network]\ndiagram = \"net.svg\"\n")
    };
    let built = build_text(&text, &like);
    let svg = built
        .rendered
        .assets
        .iter()
        .find(|a| a.name.ends_with(".svg"))
        .expect("the diagram");
    let svg = String::from_utf8(svg.bytes.clone()).unwrap();
    assert!(
        svg.contains(r#"font-family="IPAexGothic""#) && svg.contains("font-family: IPAexMincho"),
        "{svg}"
    );
    assert_contains(&built.text, "電子カルテサーバ");
}

#[test]
fn checklist_ids_in_the_exports_are_the_ids_the_toml_takes() {
    let dir = tempfile::tempdir().unwrap();
    let out = cyberbcp()
        .args(["init", "--example"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let toml = dir.path().join("facility.toml");
    let out = cyberbcp()
        .arg("build")
        .arg(&toml)
        .args(["--also", "checklist,csv,xlsx"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let csv = String::from_utf8(std::fs::read(dir.path().join("facility-checklist.csv")).unwrap())
        .unwrap();
    let pdf = pdf_text(&std::fs::read(dir.path().join("facility-checklist.pdf")).unwrap());
    for id in cyberbcp::checklist::ids() {
        assert!(
            csv.lines().any(|l| l.ends_with(&format!(",{id}"))),
            "CSV lacks {id}"
        );
        assert_contains(&pdf, id);
    }
}
