//! The day-of-incident documents: action cards, announcements and the tabletop
//! drill kit (`build --also cards,announce,drill`), read back from the PDF.

use crate::common::layout;
use crate::common::scale;
use crate::common::*;

use cyberbcp::kit;
use cyberbcp::pdf::{self, BcpWorld};
use cyberbcp::pipeline::{self as build, Prepared};
use cyberbcp::render::{Companion, Templates};

/// The three documents of this module, by their `--also` names.
const KIT: [&str; 3] = ["cards", "announce", "drill"];
const CARDS: &str = "cards";
const ANNOUNCE: &str = "announce";
const DRILL: &str = "drill";

struct Doc {
    pdf: Vec<u8>,
    /// Whitespace-free text of each page.
    pages: Vec<String>,
    overflows: Vec<String>,
}

impl Doc {
    fn text(&self) -> String {
        self.pages.concat()
    }
}

fn make(prepared: &Prepared, which: &str) -> Doc {
    let templates = Templates::builtin();
    let rendered = prepared.render(&templates).unwrap();
    let companion = Companion::find(which).expect("a row of COMPANIONS");
    let doc = prepared
        .render_companion(&rendered, &templates, companion)
        .unwrap();
    let world = BcpWorld::new(&doc, prepared.date());
    let (laid, warnings) = pdf::compile(&world).unwrap_or_else(|e| panic!("{which:?}: {e}"));
    assert!(
        warnings.is_empty(),
        "{which:?}: typst warnings {warnings:?}"
    );
    let bytes = pdf::export(&world, &laid, prepared.date()).unwrap();
    let pages = pdf_extract::extract_text_from_mem_by_pages(&bytes)
        .unwrap()
        .iter()
        .map(|p| squash(p))
        .collect::<Vec<_>>();
    assert_eq!(pages.len(), laid.pages().len());
    Doc {
        pdf: bytes,
        pages,
        overflows: layout::overflows(&laid),
    }
}

fn prepared(path: &std::path::Path) -> Prepared {
    build::prepare_file(path).unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics))
}

/// One card per chart role: 発見者, each department, security/CSIRT, 経営層.
fn card_count(p: &Prepared) -> usize {
    let departments = p
        .loaded
        .plan
        .contacts
        .iter()
        .filter(|c| c.category == cyberbcp::model::ContactCategory::Internal)
        .count();
    3 + departments.max(1)
}

#[test]
fn cards_name_each_roles_numbers_and_steps() {
    let p = prepared(&example());
    let cards = make(&p, CARDS);
    assert!(cards.overflows.is_empty(), "{:?}", cards.overflows);
    assert_eq!(cards.pages.len(), card_count(&p), "one page per card");
    let page = |needle: &str| {
        cards
            .pages
            .iter()
            .position(|t| t.contains(&squash(needle)))
            .unwrap_or_else(|| panic!("no card has {needle:?}"))
    };

    // ① 発見者: the first call (CSIRT), the night route, what to report, the form.
    let finder = &cards.pages[0];
    for needle in [
        "発見者（院内の全職員）",
        "医療情報管理室　システム係",
        "内線 2101",
        "電源は切らない",
        "つながらなければ：医療情報管理室長　高橋 健",
        "発生部署、発生個所（端末・機器）、発生日時、連絡者、異常の状態",
        "システム異常報告書（様式第1号）",
        "夜間・休日",
        "090-0000-2100",
        // The CSIRT's own night/holiday route comes first.
        "当直事務（内線 1999）",
    ] {
        assert!(
            finder.contains(&squash(needle)),
            "finder card lacks {needle:?}"
        );
    }
    // ② one card per department, with its own number and the alternatives.
    for (name, phone) in [
        ("医療情報管理室", "内線 2100"),
        ("医事課", "内線 1200"),
        ("看護部", "内線 3000"),
        ("放射線科", "内線 4100"),
    ] {
        let n = page(&format!("部門責任者：{name}"));
        let card = &cards.pages[n];
        for needle in [
            phone,
            "内線 2101",
            "システムダウン時運用マニュアル 第2章",
            "未収扱いとし、復旧後に一括入力",
        ] {
            assert!(
                card.contains(&squash(needle)),
                "{name} card lacks {needle:?}"
            );
        }
    }
    // ③ security/CSIRT: the facility's own containment order, the chief and vendors.
    let security = &cards.pages[page("アクションカード③")];
    for needle in [
        "内線 2100（夜間 090-0000-2100）",
        "バックアップサーバに通じるネットワークを遮断する（サーバ室 SW-B のケーブルを抜く）",
        "インターネット接続（UTM）とリモート保守用 VPN を遮断する",
        "内線 1001",
        "0120-000-456",
        "03-6812-7837",
        "さくらメディカルシステムズ株式会社 セキュリティ対応チーム",
    ] {
        assert!(
            security.contains(&squash(needle)),
            "security card lacks {needle:?}"
        );
    }
    // ④ 経営層: the decision, the continuity manual, the authorities, disclosure.
    let chief = &cards.pages[page("アクションカード④")];
    for needle in [
        "院長　桜井 一郎",
        "内線 1001",
        "縮退運転・運転中止",
        "紙カルテ",
        "03-6812-7837",
        "045-000-0110",
        "医事会計システム → 電子カルテシステム → オーダリングシステム",
        "事務部 総務課（広報担当）",
    ] {
        assert!(
            chief.contains(&squash(needle)),
            "chief card lacks {needle:?}"
        );
    }
}

#[test]
fn a_pharmacy_card_set_uses_its_own_roles_and_wording() {
    let p = prepared(&fixture("pharmacy"));
    let cards = make(&p, CARDS);
    assert!(cards.overflows.is_empty(), "{:?}", cards.overflows);
    assert_eq!(cards.pages.len(), card_count(&p));
    let text = cards.text();
    assert_contains_all(
        &text,
        &[
            "発見者（局内の全職員）",
            "部門責任者：調剤室",
            "045-000-9100",
            "045-000-9000",
            "紙の調剤録",
            "レセコン停止時の手順書",
            "店内掲示・お声がけ",
            "システム異常報告票",
        ],
    );
    assert!(!text.contains("院内の全職員"));
    // The security manager is the first call here: no fallback to the same person.
    assert!(!text.contains("つながらなければ"));
    // No contact answers at night: the card says so instead of inventing one.
    assert_contains(&text, "夜間・休日に連絡がつく番号が連絡体制図にありません");
}

#[test]
fn announcements_use_the_kinds_wording_the_name_and_the_affected_systems() {
    let hospital = make(&prepared(&example()), ANNOUNCE).text();
    assert_contains_all(
        &hospital,
        &[
            "院内放送",
            "発見から 30 分以内",
            "発見から 60 分以内",
            "復旧したとき",
            "社会医療法人さくら会 さくら台総合病院より患者の皆さまにお知らせします",
            "電子カルテシステム・オーダリングシステム・PACSなどが停止しており",
            "診療を一時的に行えない状態です",
            "新規の外来受付を一時停止",
            "紙カルテの運用に切り替えます",
            "これより順番に診療を再開します",
            "お知らせ",
        ],
    );
    let pharmacy_doc = make(&prepared(&fixture("pharmacy")), ANNOUNCE);
    assert!(
        pharmacy_doc.overflows.is_empty(),
        "{:?}",
        pharmacy_doc.overflows
    );
    let pharmacy = pharmacy_doc.text();
    assert_contains_all(
        &pharmacy,
        &[
            "店内掲示",
            "あおぞら薬局 駅前店よりご来局の皆さまにお知らせします",
            "レセコン・電子薬歴などが停止しており",
            "お薬のお渡しに通常より時間がかかっております",
            "処方箋のお預かりのみとし",
            "これより順番にお薬をお渡しします",
            "紙の調剤録の運用に切り替えます",
        ],
    );
    for hospital_only in ["院内放送", "診療を再開", "患者の皆さま"] {
        assert!(
            !pharmacy.contains(hospital_only),
            "pharmacy says {hospital_only}"
        );
    }
    // The entrance sign is the last page and carries the wording too.
    let sign = pharmacy_doc.pages.last().unwrap();
    assert!(
        sign.contains("お知らせ") && sign.contains("お薬のお渡しに通常より時間がかかっております")
    );
}

/// Every number printed on the 連絡体制図: role phones and every contact's.
fn chart_numbers(p: &Prepared) -> Vec<String> {
    let plan = &p.loaded.plan;
    let mut numbers: Vec<String> = plan
        .roles
        .iter()
        .filter(|r| r.designation.is_some())
        .filter_map(|r| r.phone.clone())
        .collect();
    numbers.extend(plan.contacts.iter().filter_map(|c| c.phone.clone()));
    assert!(!numbers.is_empty());
    numbers
}

#[test]
fn the_drill_kit_walks_the_plan_from_the_first_priority_system() {
    let p = prepared(&example());
    let drill = make(&p, DRILL);
    assert!(drill.overflows.is_empty(), "{:?}", drill.overflows);
    let text = drill.text();
    // 医事会計システム has recovery_priority 1 (importance medium): it is the target.
    assert_contains_all(
        &text,
        &[
            "ランサムウェア感染を想定した机上訓練（夜間想定・医事会計システム）",
            "午前2時",
            "夜勤の病棟看護師",
            "医事会計システム（医事会計（レセプト）、復旧優先度 1）",
            "045-000-7788",                   // its vendor
            "未収扱いとし、復旧後に一括入力", // its alternative
        ],
    );
    assert_contains(
        &text,
        // Shortened at a word, not mid-verb ("…HDD から復元す…").
        "みなと医事ソフトが端末を再インストールした後、医事課が最新の HDD…",
    );
    // The timeline walks chapter 3 and 4 in order.
    let sheet = drill
        .pages
        .iter()
        .position(|t| t.contains("コールシート（"))
        .expect("a call sheet");
    let timeline = &drill.pages[1..sheet].concat();
    let mut at = 0;
    for stage in [
        "発見",
        "報告",
        "初動",
        "経営層への報告",
        "縮退運転判断",
        "被害状況調査",
        "外部報告",
        "復旧",
        "事後",
    ] {
        let found = timeline[at..]
            .find(stage)
            .unwrap_or_else(|| panic!("stage {stage} not after the previous one"));
        at += found + stage.len();
    }
    for section in [
        "3.1", "3.2", "3.3.1", "3.3.2", "3.3.3", "3.4.1", "3.4.2", "3.4.3", "3.5.1", "3.5.2",
        "4.1", "4.2.1", "4.2.2", "4.3",
    ] {
        assert!(timeline.contains(section), "timeline lacks {section}");
    }
    // The call sheet lists every number on the chart.
    for number in chart_numbers(&p) {
        assert_contains(&text, &number);
    }
    assert_contains_all(&text, &["発信時刻", "応答時刻", "応答者"]);
    // The evaluation sheet maps injects to 確認表 items: every item appears with its text.
    let evaluation = drill
        .pages
        .iter()
        .skip_while(|t| !t.contains("評価表（場面ごとに"))
        .cloned()
        .collect::<String>();
    for item in cyberbcp::coverage::items() {
        assert!(
            evaluation.contains(&item.id),
            "evaluation lacks {}",
            item.id
        );
        assert!(
            evaluation.contains(&squash(item.text_for(cyberbcp::model::Kind::Hospital))),
            "evaluation lacks the text of {}",
            item.id
        );
    }
    // The record to paste afterwards.
    assert_contains_all(
        &text,
        &[
            "[[training.drills]]",
            "title=\"ランサムウェア感染を想定した机上訓練（夜間想定・医事会計システム）\"",
            "participants=",
            "findings=",
        ],
    );
}

#[test]
fn every_inject_maps_to_kakuninhyo_items_and_the_scenario_follows_the_plan() {
    let example = prepared(&example());
    let s = kit::scenario(&example.loaded.plan);
    assert!(s.night, "the example has a night route");
    assert_eq!(s.target.as_ref().unwrap().name, "医事会計システム");
    assert_eq!(s.injects.len(), kit::STAGES.len());
    let ids: Vec<&str> = cyberbcp::coverage::items()
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    for inject in &s.injects {
        assert!(
            !inject.items.is_empty(),
            "{} has no 確認表 item",
            inject.stage
        );
        assert!(inject.items.iter().all(|i| ids.contains(i)));
    }

    // The pharmacy has no night route: a daytime drill on its first-priority system.
    let pharmacy = prepared(&fixture("pharmacy"));
    let s2 = kit::scenario(&pharmacy.loaded.plan);
    assert!(!s2.night);
    assert_eq!(s2.target.as_ref().unwrap().name, "レセコン");
    let text = make(&pharmacy, DRILL).text();
    assert_contains_all(
        &text,
        &[
            "ランサムウェア感染を想定した机上訓練（日中想定・レセコン）",
            "平日 午前10時（処方箋の受付が多い時間帯）",
            "受付の事務員",
            "0120-000-321",
            "紙の調剤録と手書きの薬袋で調剤を継続する",
        ],
    );
    for number in chart_numbers(&pharmacy) {
        assert_contains(&text, &number);
    }

    // Changing the plan changes the scenario: move another system to priority 1
    // and give a pharmacy contact night hours.
    let path = fixture("pharmacy");
    let mut t: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    t["systems"][0]["recovery_priority"] = toml::Value::Integer(9);
    t["contacts"][2]["hours"] = toml::Value::String("24時間".into());
    let changed =
        build::prepare_str(&path, &toml::to_string(&t).unwrap(), path.parent().unwrap()).unwrap();
    let s3 = kit::scenario(&changed.loaded.plan);
    assert!(s3.night);
    assert_eq!(s3.target.as_ref().unwrap().name, "電子薬歴");
    assert_contains(&make(&changed, DRILL).text(), "午後9時（夜間・休日対応中）");
}

#[test]
fn the_same_plan_gives_the_same_bytes() {
    for which in KIT {
        let a = make(&prepared(&example()), which).pdf;
        let b = make(&prepared(&example()), which).pdf;
        assert!(a == b, "{which:?} is reproducible");
    }
}

#[test]
fn the_kit_fits_its_pages_for_the_fixtures() {
    for path in [fixture("clinic"), fixture("pharmacy"), example()] {
        let p = prepared(&path);
        for which in KIT {
            let doc = make(&p, which);
            assert!(
                doc.overflows.is_empty(),
                "{path:?} {which:?}: {:?}",
                doc.overflows
            );
        }
        assert_eq!(make(&p, CARDS).pages.len(), card_count(&p));
        assert_eq!(make(&p, ANNOUNCE).pages.len(), 3);
    }
}

#[test]
fn five_thousand_devices_and_five_hundred_contacts_fit_the_kit() {
    let dir = tempfile::tempdir().unwrap();
    let path = scale::write_scale_facility(dir.path(), 5000, 500);
    let p = prepared(&path);
    for which in KIT {
        let doc = make(&p, which);
        assert!(
            doc.overflows.is_empty(),
            "{which:?}: {:?}",
            &doc.overflows[..doc.overflows.len().min(5)]
        );
        if which == CARDS {
            assert_eq!(
                doc.pages.len(),
                card_count(&p),
                "one page per card, however many"
            );
        }
        if which == DRILL {
            // The call sheet runs over pages and still lists every number.
            let text = doc.text();
            assert!(text.contains("病棟・部門495") && text.contains("関係機関499"));
        }
    }
}

/// A value 100,000 characters long, CJK with a long unbroken ASCII run.
fn huge(seed: &str) -> String {
    let unit = format!("{seed}長い値が続きます。");
    let mut s = unit.repeat(100_000 / unit.chars().count());
    s.push_str(&"X".repeat(3000));
    s
}

#[test]
fn hundred_thousand_character_values_stay_on_the_page() {
    let path = fixture("pharmacy");
    let mut t: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    t["facility"]["name"] = toml::Value::String(huge("施設名"));
    t["roles"][1]["assignee"] = toml::Value::String(huge("責任者"));
    t["roles"][1]["phone"] = toml::Value::String(huge("電話"));
    t["systems"][0]["name"] = toml::Value::String(huge("システム"));
    t["alternatives"][0]["systems"] = toml::Value::Array(vec![t["systems"][0]["name"].clone()]);
    t["backups"][0]["system"] = t["systems"][0]["name"].clone();
    t["contacts"][2]["systems"] = toml::Value::Array(vec![t["systems"][0]["name"].clone()]);
    // More alternatives than a card shows, each as long as it can be.
    let mut alternative = toml::Table::new();
    alternative.insert("business".into(), toml::Value::String(huge("業務")));
    alternative.insert("systems".into(), t["alternatives"][0]["systems"].clone());
    alternative.insert("alternative".into(), toml::Value::String(huge("代替")));
    alternative.insert("manual".into(), toml::Value::String(huge("手順書")));
    let alternatives = t["alternatives"].as_array_mut().unwrap();
    alternatives.extend(std::iter::repeat_n(toml::Value::Table(alternative), 6));
    t["contacts"][3]["name"] = toml::Value::String(huge("部門"));
    t["contacts"][3]
        .as_table_mut()
        .unwrap()
        .insert("hours".into(), toml::Value::String(huge("24時間")));
    t["incident"].as_table_mut().unwrap().insert(
        "containment".into(),
        toml::Value::Array(vec![toml::Value::String(huge("遮断")); 3]),
    );
    let text = toml::to_string(&t).unwrap();
    let p = build::prepare_str(&path, &text, path.parent().unwrap())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
    for which in KIT {
        let doc = make(&p, which);
        assert!(
            doc.overflows.is_empty(),
            "{which:?}: {:?}",
            &doc.overflows[..doc.overflows.len().min(5)]
        );
        if which == CARDS {
            assert_eq!(doc.pages.len(), card_count(&p));
        }
    }
}

#[test]
fn build_also_cards_announce_drill_writes_three_pdfs() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("cyberbcp")
        .unwrap()
        .env_remove("SOURCE_DATE_EPOCH")
        .arg("build")
        .arg(fixture("clinic"))
        .arg("-o")
        .arg(dir.path().join("plan.pdf"))
        .args(["--also", "cards,announce,drill", "--color=never"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for (name, needle) in [
        ("plan-cards.pdf", "アクションカード"),
        ("plan-announce.pdf", "院内でのお知らせ（放送・口頭）"),
        ("plan-drill.pdf", "机上訓練キット"),
    ] {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        let text = pdf_text(&bytes);
        assert_contains(&text, needle);
        assert!(stderr.contains(name), "{stderr}");
        // Printed pages speak to the staff, never in command lines.
        for command in ["cyberbcp", "--also", "\\-\\-", "check"] {
            assert!(!text.contains(command), "{name}: {command}");
        }
    }
}

/// What the three documents are given (`data.kit`): a reviewed snapshot.
#[test]
fn pharmacy_kit_json() {
    let p = prepared(&fixture("pharmacy"));
    insta::assert_json_snapshot!(kit::data(&p.loaded.plan));
}
