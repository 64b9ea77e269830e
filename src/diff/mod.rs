//! What changed between two versions of a plan: compared as data, not as
//! text lines. Rows of each table are matched by their natural key (system
//! name, device id, contact name, role…), so reordering is no change and a
//! renamed row is one change, not a removal and an addition. Every change
//! names the ひな形 section(s) it prints in.

mod sections;

use serde::Serialize;
use serde_json::Value;

pub use sections::{SECTIONS, of as sections_of, section_title};

use crate::coverage::{Report, Status};
use crate::model::Plan;
use crate::model::validate::Checked;

/// One side of the comparison: a validated plan with its merged ledger.
pub struct Side<'a> {
    pub plan: &'a Plan,
    pub checked: &'a Checked,
    pub coverage: &'a Report,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Added,
    Removed,
    Changed,
    Renamed,
}

impl Op {
    pub fn mark(self) -> &'static str {
        match self {
            Op::Added => "+",
            Op::Removed => "-",
            Op::Changed => "~",
            Op::Renamed => "→",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Section ids as in [`SECTIONS`] (`"2.1.3"`, `"表紙"`), in document order.
    pub sections: Vec<&'static str>,
    pub op: Op,
    /// The TOML table (`devices`, `training.drills`, `facility`).
    pub table: String,
    /// The row's natural key, for rows.
    pub row: Option<String>,
    /// The field, for a changed field.
    pub field: Option<String>,
    /// In Japanese: 「機器「PC-301」の OS」.
    pub what: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub id: &'static str,
    pub title: &'static str,
    pub old: Status,
    pub new: Status,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// 確認表 items whose status differs.
    pub coverage: Vec<StatusChange>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.coverage.is_empty()
    }

    /// Sections with at least one change, in document order.
    pub fn sections(&self) -> Vec<&'static str> {
        SECTIONS
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| self.changes.iter().any(|c| c.sections.contains(id)))
            .collect()
    }

    /// The draft `[[revisions]] summary`: 「2.1.3 情報機器台帳（機器「PC-501」を追加）、…」.
    pub fn revision_summary(&self) -> String {
        let mut parts = Vec::new();
        for (id, title) in SECTIONS {
            let whats: Vec<&str> = self
                .changes
                .iter()
                .filter(|c| c.sections.first() == Some(id))
                .map(|c| c.what.as_str())
                .collect();
            if whats.is_empty() {
                continue;
            }
            let shown = whats.len().min(3);
            let mut list = whats[..shown].join("・");
            if whats.len() > shown {
                list.push_str(&format!("ほか {} 件", whats.len() - shown));
            }
            let name = if id == title {
                (*id).to_string()
            } else {
                format!("{id} {title}")
            };
            parts.push(format!("{name}（{list}）"));
        }
        parts.join("、")
    }
}

/// Compare two plans. Coverage statuses come from the reports given (judged
/// on the same day, so only the plans' differences show).
pub fn compare(old: &Side, new: &Side) -> Diff {
    let a = tables(old);
    let b = tables(new);
    let mut changes = Vec::new();
    for spec in TABLES {
        let (x, y) = (lookup(&a, spec.path), lookup(&b, spec.path));
        // Rows are matched by the natural key a chain's rows merge by (one list, in the model).
        match crate::model::row_key(spec.path) {
            None => compare_object(spec, x, y, &mut changes),
            Some(key) => compare_rows(spec, key, x, y, &mut changes),
        }
    }
    if let (Some(x), Some(y)) = (&old.checked.diagram, &new.checked.diagram)
        && x.bytes != y.bytes
    {
        changes.push(Change {
            sections: vec!["2.1.4"],
            op: Op::Changed,
            table: "network".into(),
            row: None,
            field: Some("diagram".into()),
            what: "構成図の画像（内容）".into(),
            old: None,
            new: None,
        });
    }
    let coverage = old
        .coverage
        .items
        .iter()
        .zip(&new.coverage.items)
        .filter(|(x, y)| x.id == y.id && x.status != y.status)
        .map(|(x, y)| StatusChange {
            id: y.id,
            title: y.title,
            old: x.status,
            new: y.status,
        })
        .collect();
    Diff { changes, coverage }
}

/// The plan as JSON, with the merged device ledger in place of `devices`.
fn tables(side: &Side) -> Value {
    let mut value = serde_json::to_value(side.plan).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "devices".into(),
            serde_json::to_value(&side.checked.devices).unwrap_or_default(),
        );
        // The ledger's file name is where rows come from, not what prints.
        map.remove("device_ledger");
    }
    value
}

fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.')
        .try_fold(value, |v, k| v.get(k))
        .filter(|v| !v.is_null())
}

/// A table of the TOML and how its changes are reported.
struct TableSpec {
    path: &'static str,
    /// What one row is called (機器, 連絡先), or the table's name.
    label: &'static str,
    /// Nested tables reported on their own (`training.drills`).
    skip: &'static [&'static str],
}

const TABLES: &[TableSpec] = &[
    TableSpec {
        path: "facility",
        label: "施設",
        skip: &[],
    },
    TableSpec {
        path: "scope",
        label: "対象範囲",
        skip: &[],
    },
    TableSpec {
        path: "roles",
        label: "役割",
        skip: &[],
    },
    TableSpec {
        path: "systems",
        label: "システム",
        skip: &[],
    },
    TableSpec {
        path: "devices",
        label: "機器",
        skip: &[],
    },
    TableSpec {
        path: "network",
        label: "構成図",
        skip: &[],
    },
    TableSpec {
        path: "alternatives",
        label: "業務",
        skip: &[],
    },
    TableSpec {
        path: "vulnerability",
        label: "脆弱性対策",
        skip: &[],
    },
    TableSpec {
        path: "contacts",
        label: "連絡先",
        skip: &[],
    },
    TableSpec {
        path: "training",
        label: "教育・訓練",
        skip: &["drills"],
    },
    TableSpec {
        path: "training.drills",
        label: "訓練",
        skip: &[],
    },
    TableSpec {
        path: "backups",
        label: "バックアップ",
        skip: &[],
    },
    TableSpec {
        path: "incident",
        label: "インシデント対応",
        skip: &[],
    },
    TableSpec {
        path: "disclosure",
        label: "情報公開",
        skip: &[],
    },
    TableSpec {
        path: "revisions",
        label: "改訂履歴の版",
        skip: &[],
    },
    TableSpec {
        path: "checklist",
        label: "チェックリスト",
        skip: &["answers"],
    },
    TableSpec {
        path: "checklist.answers",
        label: "チェックリストの回答",
        skip: &[],
    },
    TableSpec {
        path: "distribution",
        label: "配布用の写し",
        skip: &[],
    },
];

fn compare_object(spec: &TableSpec, x: Option<&Value>, y: Option<&Value>, out: &mut Vec<Change>) {
    let empty = serde_json::Map::new();
    let xm = x.and_then(Value::as_object).unwrap_or(&empty);
    let ym = y.and_then(Value::as_object).unwrap_or(&empty);
    for field in field_union(xm, ym) {
        if spec.skip.contains(&field.as_str()) {
            continue;
        }
        let (old, new) = (show(xm.get(&field)), show(ym.get(&field)));
        if old != new {
            out.push(Change {
                sections: sections::of(spec.path, Some(field.as_str()), None),
                op: Op::Changed,
                table: spec.path.into(),
                row: None,
                field: Some(field.clone()),
                what: field_label(&field).into(),
                old,
                new,
            });
        }
    }
}

fn field_union(
    x: &serde_json::Map<String, Value>,
    y: &serde_json::Map<String, Value>,
) -> Vec<String> {
    let mut fields: Vec<String> = x.keys().cloned().collect();
    for k in y.keys() {
        if !fields.contains(k) {
            fields.push(k.clone());
        }
    }
    fields
}

/// A row and its key: `"PC-301"`, or `"電子カルテシステム 毎日"`; the n-th
/// row with the same key gets `#n`.
fn keyed<'v>(rows: Option<&'v Value>, key: &[&str]) -> Vec<(String, &'v Value)> {
    let mut out: Vec<(String, &Value)> = Vec::new();
    for row in rows
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let base = key
            .iter()
            .filter_map(|k| show(row.get(*k)))
            .map(|s| s.trim().to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let n = out
            .iter()
            .filter(|(k, _)| k == &base || k.starts_with(&format!("{base}#")))
            .count();
        let k = if n == 0 {
            base
        } else {
            format!("{base}#{}", n + 1)
        };
        out.push((k, row));
    }
    out
}

fn compare_rows(
    spec: &TableSpec,
    key: &[&str],
    x: Option<&Value>,
    y: Option<&Value>,
    out: &mut Vec<Change>,
) {
    let old = keyed(x, key);
    let new = keyed(y, key);
    let mut removed: Vec<&(String, &Value)> = old
        .iter()
        .filter(|(k, _)| !new.iter().any(|(n, _)| n == k))
        .collect();
    let mut added: Vec<&(String, &Value)> = new
        .iter()
        .filter(|(k, _)| !old.iter().any(|(o, _)| o == k))
        .collect();

    // A removed and an added row that differ only in the key (and at most one
    // other field) are the same row renamed.
    let mut renames = Vec::new();
    removed.retain(|r| {
        let Some(i) = added
            .iter()
            .position(|a| other_differences(r.1, a.1, key) <= 1)
        else {
            return true;
        };
        renames.push((*r, added.remove(i)));
        false
    });
    for ((ok, ov), (nk, nv)) in renames {
        out.push(Change {
            sections: sections::of(spec.path, None, Some((*ov, *nv))),
            op: Op::Renamed,
            table: spec.path.into(),
            row: Some(nk.clone()),
            field: None,
            what: format!("{}「{ok}」を「{nk}」に変更", spec.label),
            old: Some(ok.clone()),
            new: Some(nk.clone()),
        });
        row_fields(spec, key, nk, ov, nv, out);
    }
    for (k, v) in removed {
        out.push(Change {
            sections: sections::of(spec.path, None, Some((*v, *v))),
            op: Op::Removed,
            table: spec.path.into(),
            row: Some(k.clone()),
            field: None,
            what: format!("{}「{k}」を削除", spec.label),
            old: Some(k.clone()),
            new: None,
        });
    }
    // Fields of rows present in both, in the new file's order.
    for (k, nv) in &new {
        if let Some((_, ov)) = old.iter().find(|(o, _)| o == k) {
            row_fields(spec, key, k, ov, nv, out);
        }
    }
    for (k, v) in added {
        out.push(Change {
            sections: sections::of(spec.path, None, Some((*v, *v))),
            op: Op::Added,
            table: spec.path.into(),
            row: Some(k.clone()),
            field: None,
            what: format!("{}「{k}」を追加", spec.label),
            old: None,
            new: Some(k.clone()),
        });
    }
}

fn other_differences(x: &Value, y: &Value, key: &[&str]) -> usize {
    let empty = serde_json::Map::new();
    let xm = x.as_object().unwrap_or(&empty);
    let ym = y.as_object().unwrap_or(&empty);
    field_union(xm, ym)
        .iter()
        .filter(|f| !key.contains(&f.as_str()))
        .filter(|f| show(xm.get(*f)) != show(ym.get(*f)))
        .count()
}

fn row_fields(
    spec: &TableSpec,
    key: &[&str],
    row: &str,
    x: &Value,
    y: &Value,
    out: &mut Vec<Change>,
) {
    let empty = serde_json::Map::new();
    let xm = x.as_object().unwrap_or(&empty);
    let ym = y.as_object().unwrap_or(&empty);
    for field in field_union(xm, ym) {
        if key.contains(&field.as_str()) {
            continue;
        }
        let (old, new) = (show(xm.get(&field)), show(ym.get(&field)));
        if old != new {
            out.push(Change {
                sections: sections::of(spec.path, Some(field.as_str()), Some((x, y))),
                op: Op::Changed,
                table: spec.path.into(),
                row: Some(row.to_string()),
                field: Some(field.clone()),
                what: format!("{}「{row}」の{}", spec.label, field_label(&field)),
                old,
                new,
            });
        }
    }
}

/// A value as the user would read it; `None` for absent or empty.
fn show(value: Option<&Value>) -> Option<String> {
    let text = match value? {
        Value::Null => return None,
        Value::Bool(true) => "あり".to_string(),
        Value::Bool(false) => "なし".to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => enum_ja(s).unwrap_or(s.as_str()).to_string(),
        Value::Array(items) => items
            .iter()
            .filter_map(|v| show(Some(v)))
            .collect::<Vec<_>>()
            .join("、"),
        other => other.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

/// The choices of the TOML's enumerations, in the words the PDF uses.
fn enum_ja(s: &str) -> Option<&'static str> {
    Some(match s {
        "high" => "高",
        "medium" => "中",
        "low" => "低",
        "hospital" => "病院",
        "clinic" => "診療所",
        "pharmacy" => "薬局",
        "internal" => "部門",
        "vendor" => "事業者",
        "agency" => "外部関係機関",
        "chief" => "最高責任者",
        "security_manager" => "医療情報システム安全管理責任者",
        "csirt" => "CSIRT 窓口",
        _ => return None,
    })
}

fn field_label(field: &str) -> &str {
    match field {
        "name" => "名称",
        "kind" => "施設の種類",
        "founder" => "開設者",
        "manager" => "管理者",
        "address" => "所在地",
        "phone" => "電話番号",
        "beds" => "病床数",
        "document_owner" => "文書管理部門",
        "extra_systems" => "対象システム（追加）",
        "extra_events" => "想定する事象（追加）",
        "extra_attacks" => "攻撃の例（追加）",
        "role" => "役割",
        "assignee" => "担当",
        "duty" => "役割の概要",
        "designation" => "指定",
        "email" => "メールアドレス",
        "category" => "分類",
        "vendor" => "事業者",
        "purpose" => "目的・用途",
        "importance" => "重要度",
        "recovery_priority" => "復旧優先度",
        "recovery_target" => "目標復旧時間",
        "remote_maintenance" => "リモート保守",
        "mds_sds" => "MDS/SDS",
        "id" => "管理番号",
        "maker" => "メーカー",
        "os" => "OS",
        "software" => "ソフトウェア",
        "version" => "バージョン",
        "ip" => "IPアドレス",
        "hostname" => "コンピュータ名",
        "location" => "設置場所",
        "users" => "利用者",
        "registered" => "登録日",
        "status" => "状態",
        "note" => "説明",
        "isolation" => "隔離・代替措置",
        "diagram" => "構成図のファイル",
        "description" => "補足",
        "updated" => "最終更新日",
        "business" => "業務内容",
        "systems" => "システム",
        "alternative" => "代替手段",
        "manual" => "マニュアル",
        "responsibility" => "責任分界",
        "sources" => "脆弱性情報の入手先",
        "policy" => "適用方針",
        "fallback" => "適用できない場合の代替手段",
        "person" => "担当者",
        "hours" => "連絡可能時間",
        "times_per_year" => "年間の回数",
        "plans" => "年間の計画",
        "notes" => "補足",
        "date" => "日付",
        "title" => "内容",
        "participants" => "参加者",
        "findings" => "結果・課題",
        "system" => "システム",
        "frequency" => "頻度",
        "method" => "作成方法",
        "restore" => "復旧方法",
        "generations" => "世代数",
        "offline" => "オフライン保管",
        "report_form" => "報告様式",
        "investigation" => "原因調査の項目",
        "containment" => "遮断の順序",
        "first_actions" => "発見者が最初にすること",
        "continuity_manual" => "縮退運転時のマニュアル",
        "forensics" => "証拠保全の依頼先",
        "owner" => "担当",
        "channels" => "公開の方法",
        "summary" => "改訂内容",
        "approver" => "承認者",
        "private" => "非公開の指定",
        "redact" => "非表示にするキー",
        "first" => "1回目",
        "second" => "2回目",
        "target" => "目標日",
        "item" => "項目",
        other => other,
    }
}

/// Bumped only when a field of `diff --format json` changes meaning or disappears.
pub const JSON_SCHEMA: u32 = 1;

/// `diff --format json`.
pub fn to_json(diff: &Diff, old: &str, new: &str) -> Value {
    serde_json::json!({
        "schema": JSON_SCHEMA,
        "old": old,
        "new": new,
        "equal": diff.is_empty(),
        "sections": diff.sections().iter().map(|id| serde_json::json!({
            "id": id, "title": section_title(id),
        })).collect::<Vec<_>>(),
        "changes": diff.changes,
        "coverage": diff.coverage,
        "revision_summary": diff.revision_summary(),
    })
}

/// The terminal report: changes under the section they print in, then the
/// 確認表 items whose status changed.
pub fn to_table(diff: &Diff, old: &str, new: &str) -> String {
    let mut out = String::new();
    if diff.is_empty() {
        out.push_str(&format!("{old} と {new} に違いはありません\n"));
        return out;
    }
    out.push_str(&format!(
        "{old} → {new}: {} 件の変更（{} 節）\n",
        diff.changes.len(),
        diff.sections().len()
    ));
    for (id, title) in SECTIONS {
        let here: Vec<&Change> = diff
            .changes
            .iter()
            .filter(|c| c.sections.first() == Some(id))
            .collect();
        if here.is_empty() {
            continue;
        }
        let heading = if id == title {
            (*id).to_string()
        } else {
            format!("{id} {title}")
        };
        out.push_str(&format!("── {heading} ──\n"));
        for c in here {
            out.push_str(&format!("  {} {}", c.op.mark(), c.what));
            if c.op == Op::Changed {
                let v = |x: &Option<String>| x.clone().unwrap_or_else(|| "（なし）".into());
                out.push_str(&format!(": {} → {}", v(&c.old), v(&c.new)));
            }
            if c.sections.len() > 1 {
                out.push_str(&format!("（{} にも）", c.sections[1..].join("・")));
            }
            out.push('\n');
        }
    }
    if !diff.coverage.is_empty() {
        out.push_str("── 確認表の判定 ──\n");
        for c in &diff.coverage {
            out.push_str(&format!(
                "  {:<6} {}: {} {} → {} {}\n",
                c.id,
                c.title,
                c.old.mark(),
                c.old.label(),
                c.new.mark(),
                c.new.label()
            ));
        }
    }
    out
}
