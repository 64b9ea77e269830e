//! The 確認表 coverage: judged from the data, item by item.

use std::collections::BTreeMap;

use cyberbcp::coverage::{self, Report, Status};
use cyberbcp::pipeline;
use toml::{Table, Value};
use unicode_normalization::UnicodeNormalization as _;

use crate::common::{example, fixture, root, squash};

/// The day verdicts are judged on in these tests (never the machine's clock):
/// the example hospital is up to date on it (revision 1.3 of 2026-11-16,
/// drills on 2026-06-10 and 2026-11-12).
pub fn judged_on() -> cyberbcp::model::Date {
    cyberbcp::model::Date::parse("2026-11-23").unwrap()
}

fn report_of_text(text: &str) -> Report {
    let prepared = pipeline::prepare_str(&example(), text, &root())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
    prepared.coverage_on(judged_on())
}

fn statuses(report: &Report) -> BTreeMap<&'static str, Status> {
    report.items.iter().map(|i| (i.id, i.status)).collect()
}

fn not_covered(report: &Report) -> BTreeMap<&'static str, Status> {
    statuses(report)
        .into_iter()
        .filter(|(_, s)| *s != Status::Covered)
        .collect()
}

fn example_table() -> Table {
    let text = std::fs::read_to_string(example()).unwrap();
    text.parse::<Table>().unwrap()
}

#[test]
fn the_example_hospital_covers_all_27_items() {
    let prepared = pipeline::prepare_file(&example()).unwrap();
    let report = prepared.coverage_on(judged_on());
    assert_eq!(report.total, 27);
    assert_eq!(
        (report.covered, report.default, report.missing),
        (27, 0, 0),
        "{:?}",
        not_covered(&report)
    );
    assert!(report.items.iter().all(|i| i.hints.is_empty()));
}

#[test]
fn each_fixture_reports_what_it_really_lacks() {
    use Status::{Default as D, Missing as M};
    let clinic = pipeline::prepare_file(&fixture("clinic"))
        .unwrap()
        .coverage_on(judged_on());
    assert_eq!(
        not_covered(&clinic),
        BTreeMap::from([
            ("1-1.2", M), // no [network] diagram
            ("1-1.4", M), // [vulnerability] has no policy
            ("1-2.1", D), // night-first-call: the security manager has no night route
            ("1-2.3", M), // no drill in the 12 months before the judged day
            ("1-2.4", D), // the EHR backup is online only; 2 generations; restore says no who
            ("2-1", D),   // where the chart is posted: not written
            ("2-3", D),   // night-first-call
            ("3-1", D),
            ("3-2", D), // no check of the vendors' 作業履歴 of its own; mds-sds
            ("4-3", D), // as 1-2.4
            ("3-3", D),
            ("3-4", D),
            ("3-5", D), // [incident] only names the report form
            ("4-4", D), // 3.5.2 and chapter 4: ひな形 text only
            ("5-1", D),
            ("5-2", D),
            ("5-3", D),
            ("5-4", D),
            ("5-5", D),
            ("5-6", M), // no [disclosure]
        ])
    );
    let pharmacy = pipeline::prepare_file(&fixture("pharmacy"))
        .unwrap()
        .coverage_on(judged_on());
    assert_eq!(
        not_covered(&pharmacy),
        BTreeMap::from([
            ("1-1.3", M), // オンライン資格確認端末 has no alternative
            ("1-2.1", D), // nobody reachable at night (night-contact, night-first-call)
            ("1-2.3", M), // no drill in the 12 months before the judged day
            ("1-2.4", D), // 電子薬歴 only in the vendor's cloud, restore from nowhere
            ("2-1", D),
            ("2-3", D), // night-first-call
            ("3-1", D),
            ("3-2", D), // no check of the vendors' 作業履歴 of its own; mds-sds
            ("4-3", D), // as 1-2.4
            ("3-3", D),
            ("3-5", D),
            ("4-4", D),
            ("5-1", D),
            ("5-2", D),
            ("5-3", D),
            ("5-4", D),
            ("5-5", D),
        ]),
    );
    let hint = |r: &Report, id: &str| {
        r.items
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .hints
            .join("\n")
    };
    assert!(hint(&clinic, "1-1.2").contains("[network] diagram"));
    assert_eq!(
        hint(&pharmacy, "1-1.3"),
        "systems『オンライン資格確認端末』に代替手段がありません（[[alternatives]] の systems に追加）"
    );
}

type Mutation = fn(&mut Table);
/// A name, the edit, and the items that must change (with their new status).
type Case = (&'static str, Mutation, &'static [(&'static str, Status)]);

fn table<'a>(t: &'a mut Table, key: &str) -> &'a mut Table {
    t.get_mut(key).and_then(Value::as_table_mut).unwrap()
}

fn rows<'a>(t: &'a mut Table, key: &str) -> &'a mut Vec<Value> {
    t.get_mut(key).and_then(Value::as_array_mut).unwrap()
}

fn row_named<'a>(t: &'a mut Table, key: &str, field: &str, needle: &str) -> &'a mut Table {
    rows(t, key)
        .iter_mut()
        .filter_map(Value::as_table_mut)
        .find(|r| {
            r.get(field)
                .and_then(Value::as_str)
                .is_some_and(|v| v.contains(needle))
        })
        .unwrap()
}

fn drop_rows(t: &mut Table, key: &str, keep: impl Fn(&Table) -> bool) {
    rows(t, key).retain(|r| keep(r.as_table().unwrap()));
}

fn field_is(r: &Table, field: &str, value: &str) -> bool {
    r.get(field).and_then(Value::as_str) == Some(value)
}

/// Each case removes or breaks exactly the data one rule reads; the items
/// listed (and no others) must change from 記載済.
const CASES: &[Case] = {
    use Status::{Default as D, Missing as M};
    &[
        (
            "no devices",
            |t| {
                t.remove("devices");
                t.remove("device_ledger");
            },
            &[("1-1.1", M)],
        ),
        (
            "no network diagram",
            |t| {
                table(t, "network").remove("diagram");
            },
            &[("1-1.2", M)],
        ),
        (
            "PACS without an alternative",
            |t| {
                drop_rows(t, "alternatives", |r| {
                    !field_is(r, "business", "放射線画像診断")
                });
            },
            &[("1-1.3", M)],
        ),
        (
            "no patch policy",
            |t| {
                table(t, "vulnerability").remove("policy");
            },
            &[("1-1.4", M)],
        ),
        (
            "no police contact",
            |t| {
                drop_rows(t, "contacts", |r| {
                    !r["name"].as_str().unwrap().contains("警察")
                });
            },
            &[("1-2.1", M), ("3-6", M)],
        ),
        (
            "no vulnerability sources",
            |t| {
                table(t, "vulnerability").remove("sources");
            },
            &[("1-2.2", M)],
        ),
        (
            "no training frequency",
            |t| {
                table(t, "training").remove("times_per_year");
            },
            &[("1-2.3", M)],
        ),
        (
            "training planned but never held",
            |t| {
                table(t, "training").remove("drills");
            },
            &[("1-2.3", M)],
        ),
        (
            "drills only older than 12 months",
            |t| {
                rows(table(t, "training"), "drills").retain(|d| {
                    d["date"].as_datetime().unwrap().to_string().as_str() < "2025-11-23"
                });
            },
            &[("1-2.3", M)],
        ),
        (
            "where the contact chart is posted not written",
            |t| {
                table(t, "incident").remove("chart_posted");
            },
            &[("2-1", D)],
        ),
        (
            "how recovery is verified not written",
            |t| {
                table(t, "incident").remove("recovery_checks");
            },
            &[("4-4", D)],
        ),
        (
            "no post-incident reports",
            |t| {
                table(t, "followup").remove("reports");
            },
            &[("5-1", D)],
        ),
        (
            "post-incident reports without the PPC",
            |t| {
                rows(table(t, "followup"), "reports")
                    .retain(|r| !r.as_str().unwrap().contains("個人情報保護委員会"));
            },
            &[("5-1", D)],
        ),
        (
            "who decides recurrence prevention not written",
            |t| {
                table(t, "followup").remove("recurrence");
            },
            &[("5-2", D), ("5-4", D)],
        ),
        (
            "recurrence prevention left as ○○",
            |t| {
                set(table(t, "followup"), "recurrence", "○○が検討する");
            },
            &[("5-2", D), ("5-4", D)],
        ),
        (
            "how measures reach staff not written",
            |t| {
                table(t, "followup").remove("notice");
            },
            &[("5-3", D)],
        ),
        (
            "nothing asked of vendors",
            |t| {
                table(t, "followup").remove("vendor_requests");
            },
            &[("5-5", D)],
        ),
        (
            "forensics contractor without a phone",
            |t| {
                table(t, "incident").remove("forensics_phone");
            },
            &[("3-5", D)],
        ),
        (
            "no offline backup generation",
            |t| {
                for r in rows(t, "backups") {
                    r.as_table_mut()
                        .unwrap()
                        .insert("offline".into(), Value::Boolean(false));
                }
            },
            // backup-offline: 4-3 too (no copy survives ransomware).
            &[("1-2.4", M), ("4-3", D)],
        ),
        (
            "important system PACS without backup",
            |t| {
                drop_rows(t, "backups", |r| !field_is(r, "system", "PACS"));
            },
            &[("1-2.4", M), ("4-3", M)],
        ),
        (
            "no backups at all",
            |t| {
                t.remove("backups");
            },
            &[("1-2.4", M), ("4-2", M), ("4-3", M)],
        ),
        (
            "an internal contact without phone",
            |t| {
                row_named(t, "contacts", "name", "医事課").remove("phone");
            },
            &[("2-1", M), ("5-3", M)],
        ),
        (
            "no report form",
            |t| {
                table(t, "incident").remove("report_form");
            },
            &[("2-2", M)],
        ),
        (
            "no chief designated",
            |t| {
                row_named(t, "roles", "designation", "chief").remove("designation");
            },
            &[
                ("1-2.1", M),
                ("2-3", M),
                ("3-4", M),
                ("3-6", M),
                ("4-1", M),
                ("5-1", M),
                ("5-2", M),
            ],
        ),
        (
            "no security manager designated",
            |t| {
                row_named(t, "roles", "designation", "security_manager").remove("designation");
            },
            &[
                ("1-2.1", M),
                ("2-3", M),
                ("3-5", M),
                ("4-4", M),
                ("5-1", M),
                ("5-2", M),
                ("5-4", M),
                ("5-5", M),
            ],
        ),
        (
            "default investigation items",
            |t| {
                table(t, "incident").remove("investigation");
            },
            // The ひな形's list is also 3-2's only check of the vendors' 作業履歴.
            &[("3-1", D), ("3-2", D)],
        ),
        (
            "PACS vendor not linked to PACS",
            |t| {
                row_named(t, "contacts", "name", "ひかり画像技研")
                    .insert("systems".into(), Value::Array(vec![]));
            },
            &[("3-2", M)],
        ),
        (
            "no vendor contacts",
            |t| {
                drop_rows(t, "contacts", |r| !field_is(r, "category", "vendor"));
            },
            &[
                ("1-2.1", M),
                ("1-2.2", M),
                ("3-1", M),
                ("3-2", M),
                ("4-2", M),
                ("5-5", M),
            ],
        ),
        (
            "default containment order",
            |t| {
                table(t, "incident").remove("containment");
            },
            &[("3-3", D)],
        ),
        (
            "no continuity manual",
            |t| {
                table(t, "incident").remove("continuity_manual");
            },
            &[("3-4", D)],
        ),
        (
            "no forensics contractor",
            |t| {
                table(t, "incident").remove("forensics");
            },
            &[("3-5", D)],
        ),
        (
            "no system names a vendor",
            |t| {
                for r in rows(t, "systems") {
                    r.as_table_mut().unwrap().remove("vendor");
                }
            },
            &[("3-2", M)],
        ),
        (
            "a role duty left as ○○",
            |t| {
                row_named(t, "roles", "role", "病院事務部")
                    .insert("duty".into(), Value::String("○○の検討作業を行う。".into()));
            },
            &[("5-1", M)],
        ),
        (
            "MHLW phone left as placeholder",
            |t| {
                row_named(t, "contacts", "name", "厚生労働省")
                    .insert("phone".into(), Value::String("03-○○○○-○○○○".into()));
            },
            &[("1-2.1", M), ("3-6", M), ("5-6", M)],
        ),
        (
            "no disclosure owner",
            |t| {
                table(t, "disclosure").remove("owner");
            },
            &[("5-6", M)],
        ),
        (
            "no disclosure channels",
            |t| {
                table(t, "disclosure").remove("channels");
            },
            &[("5-6", D)],
        ),
    ]
};

#[test]
fn each_rule_changes_exactly_the_items_that_depend_on_its_data() {
    for (name, mutate, expected) in CASES {
        let mut t = example_table();
        mutate(&mut t);
        let report = report_of_text(&toml::to_string(&t).unwrap());
        let expected: BTreeMap<&str, Status> = expected.iter().copied().collect();
        assert_eq!(not_covered(&report), expected, "case: {name}");
        for item in &report.items {
            assert_eq!(
                item.hints.is_empty(),
                item.status == Status::Covered,
                "case {name}, item {}: hints {:?}",
                item.id,
                item.hints
            );
        }
    }
}

#[test]
fn every_item_has_a_case_that_changes_it() {
    for def in coverage::items() {
        assert!(
            CASES
                .iter()
                .any(|(_, _, changed)| changed.iter().any(|(id, _)| *id == def.id)),
            "no test case changes {}",
            def.id
        );
    }
}

#[test]
fn hints_name_the_key_and_the_missing_thing() {
    let mut t = example_table();
    drop_rows(&mut t, "backups", |r| !field_is(r, "system", "PACS"));
    drop_rows(&mut t, "alternatives", |r| {
        !field_is(r, "business", "放射線画像診断")
    });
    let report = report_of_text(&toml::to_string(&t).unwrap());
    let hints = |id: &str| {
        report
            .items
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .hints
            .clone()
    };
    assert_eq!(
        hints("1-2.4"),
        ["systems『PACS』にバックアップがありません（backups に追加）"]
    );
    assert_eq!(
        hints("1-1.3"),
        ["systems『PACS』に代替手段がありません（[[alternatives]] の systems に追加）"]
    );
}

/// NFKC folds what a PDF extractor garbles (CJK radicals, half-width marks);
/// whitespace is where table cells were broken into lines.
fn normalise(s: &str) -> String {
    squash(&s.nfkc().collect::<String>())
}

fn official(kind: &str) -> String {
    let text =
        std::fs::read_to_string(root().join(format!("tests/fixtures/kakuninhyo/{kind}.txt")))
            .unwrap();
    normalise(
        &text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

#[test]
fn item_texts_match_the_published_kakuninhyo_for_both_wordings() {
    for (case, wording) in [("clinic", "hospital"), ("pharmacy", "pharmacy")] {
        let published = official(wording);
        let report = pipeline::prepare_file(&fixture(case)).unwrap().coverage();
        let json = serde_json::to_value(cyberbcp::export::json("f.toml", &report)).unwrap();
        let items = json["items"].as_array().unwrap();
        assert_eq!(items.len(), 27);
        for item in items {
            let text = item["text"].as_str().unwrap();
            assert!(
                published.contains(&normalise(text)),
                "{wording}: {} text not in the published 確認表: {text}",
                item["id"]
            );
            let title = item["title"].as_str().unwrap();
            assert!(
                published.contains(&normalise(title)) || item["id"] == "3-1",
                "{wording}: {} title not published: {title}",
                item["id"]
            );
            for m in ["平時", "検知", "初動対応", "復旧処理", "事後対応"] {
                assert!(published.contains(m));
            }
        }
        let inside = if wording == "pharmacy" {
            "局内"
        } else {
            "院内"
        };
        let other = if wording == "pharmacy" {
            "院内"
        } else {
            "局内"
        };
        let all: String = items.iter().map(|i| i["text"].as_str().unwrap()).collect();
        assert!(all.contains(inside) && !all.contains(other), "{wording}");
    }
}

#[test]
fn docs_coverage_md_lists_the_rules_as_the_code_has_them() {
    let path = root().join("docs/coverage.md");
    for (marker, table) in [
        ("rules", coverage::rules_markdown()),
        ("text", coverage::text_rules_markdown()),
        ("checklist", cyberbcp::checklist::items_markdown()),
    ] {
        let doc = std::fs::read_to_string(&path).unwrap();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let open = format!("<!-- {marker}:start -->\n");
            let start = doc.find(&open).unwrap() + open.len();
            let end = doc.find(&format!("<!-- {marker}:end -->")).unwrap();
            let updated = format!("{}{}{}", &doc[..start], table, &doc[end..]);
            std::fs::write(&path, updated).unwrap();
            continue;
        }
        assert!(
            doc.contains(&table),
            "docs/coverage.md ({marker}) is out of date: run UPDATE_DOCS=1 cargo test --test suite docs_"
        );
    }
}

fn warning_codes(t: &Table) -> Vec<&'static str> {
    let prepared = pipeline::prepare_str(&example(), &toml::to_string(t).unwrap(), &root())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
    prepared
        .coverage_on(judged_on())
        .warnings
        .iter()
        .map(|w| w.code)
        .collect()
}

fn set(r: &mut Table, key: &str, value: impl Into<Value>) {
    r.insert(key.into(), value.into());
}

fn date(text: &str) -> Value {
    Value::Datetime(text.parse().unwrap())
}

/// Each yearly-cycle warning: one edit of the (otherwise clean) example
/// triggers exactly it.
const WARNING_CASES: &[(&str, Mutation)] = &[
    ("stale-review", |t| {
        for r in rows(t, "revisions") {
            set(r.as_table_mut().unwrap(), "date", date("2025-01-10"));
        }
    }),
    ("no-drill", |t| {
        table(t, "training").remove("drills");
    }),
    ("stale-drill", |t| {
        for d in table(t, "training")
            .get_mut("drills")
            .and_then(Value::as_array_mut)
            .unwrap()
        {
            set(d.as_table_mut().unwrap(), "date", date("2025-11-20"));
        }
    }),
    ("drill-shortfall", |t| {
        set(table(t, "training"), "times_per_year", 3);
    }),
    ("unrecorded-change", |t| {
        set(table(t, "network"), "updated", date("2026-11-20"));
    }),
    ("night-first-call", |t| {
        row_named(t, "roles", "designation", "csirt").remove("night");
    }),
    ("equal-priority", |t| {
        for name in ["電子カルテシステム", "オーダリングシステム", "PACS"] {
            set(
                row_named(t, "systems", "name", name),
                "recovery_priority",
                2,
            );
        }
    }),
    ("remote-no-vendor", |t| {
        row_named(t, "contacts", "name", "ひかり画像技研")
            .insert("systems".into(), Value::Array(vec![]));
    }),
    ("backup-generations", |t| {
        set(row_named(t, "backups", "system", "PACS"), "generations", 2);
    }),
    ("backup-offline", |t| {
        set(row_named(t, "backups", "system", "PACS"), "offline", false);
    }),
    ("eol-os", |t| {
        let device = rows(t, "devices")[0].as_table_mut().unwrap();
        set(device, "os", "Windows 7 Professional");
    }),
    ("mds-sds", |t| {
        row_named(t, "systems", "name", "PACS").remove("mds_sds");
    }),
    ("contact-phone", |t| {
        row_named(t, "contacts", "name", "放射線科").remove("phone");
    }),
    ("backup-not-offline", |t| {
        let b = row_named(t, "backups", "system", "医事会計システム");
        set(b, "method", "院内 LAN の NAS に常時接続で同期する");
    }),
    ("backup-restore", |t| {
        set(
            row_named(t, "backups", "system", "PACS"),
            "restore",
            "画像を復元する",
        );
    }),
    ("vendor-night", |t| {
        set(
            row_named(t, "contacts", "name", "みなと医事ソフト"),
            "hours",
            "平日 9時〜18時",
        );
    }),
    ("office-hours-only", |t| {
        let chief = row_named(t, "roles", "designation", "chief");
        set(chief, "hours", "平日 8時30分〜17時15分");
    }),
    ("stale-diagram", |t| {
        let mut router = rows(t, "devices")[0].as_table().unwrap().clone();
        set(&mut router, "id", "NW-099");
        set(&mut router, "software", "無線アクセスポイント（3 階病棟）");
        set(&mut router, "registered", date("2026-01-20"));
        rows(t, "devices").push(Value::Table(router));
    }),
    ("solo-drill", |t| {
        for d in rows(table(t, "training"), "drills") {
            set(
                d.as_table_mut().unwrap(),
                "participants",
                "医療情報管理室 高橋",
            );
        }
    }),
    ("forensics-wipe", |t| {
        set(
            table(t, "incident"),
            "forensics",
            "さくらメディカルシステムズのヘルプデスク（初期化と再インストール）",
        );
    }),
    ("vague-report", |t| {
        rows(table(t, "followup"), "reports").push("警察・保健所へは必要に応じて報告する".into());
    }),
    ("vendor-proposal", |t| {
        rows(table(t, "followup"), "vendor_requests")
            .push("ひかり画像技研: 再発防止策は事業者に一任する".into());
    }),
    ("night-contact", |t| {
        for c in rows(t, "contacts") {
            let c = c.as_table_mut().unwrap();
            if c.contains_key("hours") {
                set(c, "hours", "平日 9時〜17時");
            }
        }
        let sm = row_named(t, "roles", "designation", "security_manager");
        set(sm, "phone", "内線 2100");
        // The night number is in the note since phone_note exists.
        sm.remove("phone_note");
        // Nobody at night on the whole chart: the first call has no night route either.
        row_named(t, "roles", "designation", "csirt").remove("night");
    }),
];

/// Codes that one edit raises besides its own, because they follow from it.
fn implied(code: &str) -> &'static [&'static str] {
    match code {
        // Weekday hours for every contact: the first-priority system's vendor too.
        "night-contact" => &["night-first-call", "vendor-night"],
        // The system's only copy that looked offline is not.
        "backup-not-offline" => &["backup-offline"],
        // A plan unrevised for a year always has records newer than its revision.
        "stale-review" => &["unrecorded-change"],
        _ => &[],
    }
}

#[test]
fn each_yearly_warning_has_a_case_that_triggers_it_and_the_example_has_none() {
    assert_eq!(warning_codes(&example_table()), Vec::<&str>::new());
    for (code, mutate) in WARNING_CASES {
        let mut t = example_table();
        mutate(&mut t);
        let mut codes = warning_codes(&t);
        codes.sort_unstable();
        // contact-phone also makes 2-1 missing, which is coverage, not a warning.
        let mut expected = vec![*code];
        expected.extend(implied(code));
        expected.sort_unstable();
        assert_eq!(codes, expected, "case {code}");
    }
}

#[test]
fn eol_list_is_data_with_dates_and_respects_long_term_editions() {
    use cyberbcp::coverage::os_end_of_support;
    let day = cyberbcp::model::Date::parse("2026-01-01").unwrap();
    assert!(os_end_of_support("Windows 10 Pro 22H2", day).is_some());
    assert!(os_end_of_support("windows10", day).is_some());
    assert!(os_end_of_support("Windows 10 IoT Enterprise LTSC 2021", day).is_none());
    assert!(os_end_of_support("Windows Server 2012 R2", day).is_some());
    assert!(
        os_end_of_support("Windows Server 2016", day).is_none(),
        "supported until 2027"
    );
    assert!(os_end_of_support("Windows 11", day).is_none());
    assert!(os_end_of_support("CentOS 70", day).is_none());
    let before = cyberbcp::model::Date::parse("2025-10-13").unwrap();
    assert!(
        os_end_of_support("Windows 10", before).is_none(),
        "not yet ended"
    );
}
