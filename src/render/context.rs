//! The data the templates read as `data.json`: the plan's values, arranged
//! the way the ひな形's tables are, with nothing turned into markup.

use serde_json::{Value, json};

use super::Gap;
use super::markdown;
use crate::coverage::{self, Report};
use crate::model::validate::Checked;
use crate::model::{ContactCategory, Designation, Level, Loaded, Plan};

pub fn data_json(
    loaded: &Loaded,
    checked: &Checked,
    gaps: &[Gap],
    coverage: &Report,
    terms: &serde_json::Map<String, Value>,
    extras: super::Extras,
) -> anyhow::Result<Value> {
    let plan = &loaded.plan;
    let latest = plan.latest_revision();
    let md = |text: Option<&String>| text.map(|t| markdown::to_blocks(t));
    let gap_keys: serde_json::Map<String, Value> = gaps
        .iter()
        .map(|g| (g.key.to_string(), json!(g.fix)))
        .collect();

    let mut data = json!({
        "kind": plan.facility.kind,
        "terms": terms,
        "facility": plan.facility,
        "document": {
            "title": super::PLAN_TITLE,
            "version": latest.map(|r| &r.version),
            "date": latest.map(|r| r.date.japanese()),
            "approver": latest.and_then(|r| r.approver.as_ref()),
        },
        "revisions": plan.revisions.iter().map(|r| json!({
            "version": r.version,
            "date": r.date.japanese(),
            "summary": r.summary,
            "approver": r.approver,
        })).collect::<Vec<_>>(),
        "scope": plan.scope,
        "roles": plan.roles,
        "chief": plan.role(Designation::Chief),
        "security_manager": plan.role(Designation::SecurityManager),
        "csirt": plan.role(Designation::Csirt),
        "ciso_role": ciso_role(plan),
        "systems": plan.systems.iter().map(|s| json!({
            "name": s.name,
            "category": s.category,
            "vendor": s.vendor,
            "purpose": s.purpose,
            "importance": level_ja(s.importance),
            "recovery_priority": s.recovery_priority,
            "recovery_target": filled(&s.recovery_target),
            "remote_maintenance": s.remote_maintenance,
            "mds_sds": s.mds_sds,
        })).collect::<Vec<_>>(),
        "recovery_order": recovery_order(plan),
        "devices": checked.devices.iter().map(|d| json!({
            "id": d.id, "maker": d.maker, "os": d.os, "software": d.software,
            "version": d.version, "ip": d.ip, "hostname": d.hostname,
            "location": d.location, "users": d.users,
            "registered": d.registered.map(|r| r.to_string()),
            "status": d.status, "note": d.note,
        })).collect::<Vec<_>>(),
        "network": {
            "diagram": checked.diagram.as_ref().map(|a| &a.name),
            "description": md(plan.network.as_ref().and_then(|n| n.description.as_ref())),
            "updated": plan.network.as_ref().and_then(|n| n.updated).map(|d| d.japanese()),
        },
        "alternatives": plan.alternatives,
        "eol_devices": eol_devices(plan, checked),
        "vulnerability": plan.vulnerability.as_ref().map(|v| json!({
            "responsibility": v.responsibility,
            "sources": v.sources,
            "policy": md(v.policy.as_ref()),
            "fallback": v.fallback,
        })),
        "contacts": {
            "internal": plan.contacts_of(ContactCategory::Internal).collect::<Vec<_>>(),
            "vendor": plan.contacts_of(ContactCategory::Vendor).collect::<Vec<_>>(),
            "agency": plan.contacts_of(ContactCategory::Agency).collect::<Vec<_>>(),
        },
        "vendor_rows": vendor_rows(plan),
        "training": plan.training.as_ref().map(|t| {
            let mut drills = t.drills.clone();
            drills.sort_by_key(|d| d.date);
            json!({
                "times_per_year": t.times_per_year,
                "plans": t.plans,
                "drills": drills.iter().map(|d| json!({
                    "date": d.date.japanese(), "title": d.title,
                    "participants": d.participants, "findings": d.findings,
                })).collect::<Vec<_>>(),
                "last_drill": drills.last().map(|d| d.date.japanese()),
                "notes": md(t.notes.as_ref()),
            })
        }),
        "backups": backup_groups(plan),
        "incident": {
            "report_form": plan.incident.report_form,
            "first_actions": plan.incident.first_actions,
            "investigation": plan.incident.investigation,
            "containment": plan.incident.containment,
            "continuity_manual": plan.incident.continuity_manual,
            "forensics": plan.incident.forensics,
            "forensics_phone": plan.incident.forensics_phone,
            "chart_posted": plan.incident.chart_posted,
            "recovery_checks": plan.incident.recovery_checks,
            "notes": md(plan.incident.notes.as_ref()),
        },
        "followup": plan.followup,
        "disclosure": plan.disclosure.as_ref().map(|d| json!({
            "owner": d.owner,
            "channels": d.channels,
            "notes": md(d.notes.as_ref()),
        })),
        "gaps": gap_keys,
        // Every 【未記入】 box's wording, also for boxes the companions draw
        // for keys that are not gaps of the plan (a card's missing vendor).
        "fill": crate::model::fill::keys()
            .map(|k| (k.to_string(), json!({
                "what": crate::model::fill::what(k),
                "how": crate::model::fill::how(k),
            })))
            .collect::<serde_json::Map<String, Value>>(),
        "coverage": coverage_json(coverage),
        "checklist": crate::checklist::sheet(plan, checked, coverage, term(terms, "checklist_edition")),
    });
    join_phone_notes(&mut data);
    if let Some(changes) = extras.changes {
        data["changes"] = changes_json(changes);
    }
    if let Some(scrubber) = extras.public {
        public_json(&mut data, scrubber);
    }
    printable(&mut data);
    data["ledger"] = ledger_json(&data["devices"]);
    Ok(data)
}

/// 2.1.3's ledger: its header, and its column widths and row heights worked
/// out from the very strings the template prints (after `--public`'s
/// scrubbing), so Typst lays each cell out once.
fn ledger_json(devices: &Value) -> Value {
    const KEYS: [&str; 12] = [
        "id",
        "maker",
        "os",
        "software",
        "version",
        "ip",
        "hostname",
        "location",
        "users",
        "registered",
        "status",
        "note",
    ];
    let rows: Vec<Vec<String>> = devices
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|d| {
            KEYS.iter()
                .map(|k| match &d[*k] {
                    Value::String(s) if !s.is_empty() => s.clone(),
                    Value::Null | Value::String(_) => "—".to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    let spec = &super::table::LEDGER;
    let mut out = super::table::geometry(spec, &rows).to_json();
    out["header"] = json!(spec.header);
    // The template prints these keys of each device, in this order: `rows`
    // holds every row's values, one after another, as printed (a dash for
    // none), so Typst calls no function per cell (60,000 for 5,000 devices).
    out["keys"] = json!(KEYS);
    out["rows"] = json!(rows.concat());
    out
}

/// 2.1.6's devices that cannot be patched: each with an isolation measure
/// written, and each whose OS was out of support on the plan's date (the
/// newest revision, so the page is the same on any day), with its measure or
/// the 【未記入】 marker. The 情報機器台帳 keeps the manual's 12 columns.
fn eol_devices(plan: &Plan, checked: &Checked) -> Vec<Value> {
    let on = plan.latest_revision().map(|r| r.date);
    let fallback = plan
        .vulnerability
        .as_ref()
        .and_then(|v| v.fallback.as_deref())
        .unwrap_or("");
    checked
        .devices
        .iter()
        .filter_map(|d| {
            let end = d.os.as_deref().and_then(coverage::os_support_end);
            let ended = end.zip(on).is_some_and(|(end, on)| end < on);
            let written = d.isolation.as_deref().is_some_and(|i| !i.trim().is_empty());
            // The same measure that clears `eol-os` (the fallback's sentence
            // naming the device counts only when it says more than the name).
            let measure = coverage::isolation_measure(d, fallback)
                .or_else(|| d.isolation.clone().filter(|i| !i.trim().is_empty()));
            (ended || written).then(|| {
                json!({
                    "id": d.id,
                    "os": d.os,
                    "end": end.map(|e| e.japanese()),
                    "isolation": measure,
                })
            })
        })
        .collect()
}

/// `phone_note` prints beside its number, 「045-000-1234（店舗代表）」, wherever
/// the number is printed (tables, charts, poster, form), so templates only
/// ever see `phone`.
pub(super) fn join_phone_notes(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(note)) = map.get("phone_note").cloned()
                && !note.trim().is_empty()
                && let Some(Value::String(phone)) = map.get_mut("phone")
            {
                *phone = format!("{}（{}）", phone.trim_end(), note.trim());
            }
            map.values_mut().for_each(join_phone_notes);
        }
        Value::Array(items) => items.iter_mut().for_each(join_phone_notes),
        _ => {}
    }
}

/// The 「前版からの主な変更点」 page: one row per change in document order,
/// and the sections whose headings get a mark in the margin.
fn changes_json(list: &super::ChangeList) -> Value {
    use crate::diff::{SECTIONS, section_title};
    let mut rows = Vec::new();
    for (id, _) in SECTIONS {
        for c in list
            .diff
            .changes
            .iter()
            .filter(|c| c.sections.first() == Some(id))
        {
            rows.push(json!({
                "section": id,
                "title": section_title(id),
                "also": c.sections[1..].join("・"),
                "what": c.what,
                "old": c.old.as_deref().map(|s| clip(s, 120)),
                "new": c.new.as_deref().map(|s| clip(s, 120)),
            }));
        }
    }
    json!({
        "from": list.from,
        "rows": rows,
        "sections": list.diff.sections(),
        "coverage": list.diff.coverage.iter().map(|c| json!({
            "id": c.id, "title": c.title, "old": c.old.label(), "new": c.new.label(),
        })).collect::<Vec<_>>(),
    })
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        s.chars().take(n).chain(['…']).collect()
    } else {
        s.to_string()
    }
}

/// `--public`: every string through the scrubber, the diagram withheld, the
/// remote-maintenance flags hidden, and the label the templates print.
fn public_json(data: &mut Value, scrubber: &crate::public::Scrubber) {
    use crate::public::{LABEL, MASK};
    scrubber.apply(data);
    if !data["network"]["diagram"].is_null() {
        data["network"]["diagram"] = Value::Null;
        data["network"]["withheld"] = json!(true);
    }
    if let Some(systems) = data["systems"].as_array_mut() {
        for s in systems {
            s["remote_maintenance"] = json!(MASK);
        }
    }
    data["public"] = json!({
        "label": LABEL,
        "mask": MASK,
        // Without the mask itself: the note must not count as hidden text.
        "note": "配布用の写しのため非表示にした箇所です（IP アドレス・コンピュータ名・個人の連絡先・リモート保守の詳細など）。原本は文書管理部門が管理しています。",
    });
}

/// One wording of terms.toml (every kind has every term: checked when loaded).
pub fn term<'a>(terms: &'a serde_json::Map<String, Value>, name: &str) -> &'a str {
    terms.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// The appendix table: the 大項目 rows of the published layout, then each
/// item with its status and the sections that answer it.
fn coverage_json(report: &Report) -> Value {
    json!({
        "today": report.today.japanese(),
        "total": report.total,
        "covered": report.covered,
        "default": report.default,
        "missing": report.missing,
        "majors": coverage::majors(),
        "items": report.items.iter().map(|i| json!({
            "id": i.id,
            "group": i.group,
            "major": i.group.split('-').next(),
            "title": i.title,
            "text": i.text,
            "status": i.status,
            "label": i.status.label(),
            "sections": i.sections,
            "hints": i.hints,
        })).collect::<Vec<_>>(),
    })
}

/// Make every string value safe to print as it is:
/// - Bidi embedding/override/isolate marks are invisible but reorder the text
///   that follows them: a value could print a phone number backwards. They
///   never carry meaning in a Japanese plan, so they are dropped.
/// - Link targets (`url`) and the diagram's file name (`diagram`, a path
///   Typst's `image` reads) are left exactly as written.
///
/// Nothing is added: a long run without a break opportunity (a URL, an e-mail
/// address) wraps by a show rule in lib.typ that adds nothing to the PDF's text
/// layer, so a value copied out of the PDF is the value as written.
pub(super) fn printable(value: &mut Value) {
    match value {
        Value::String(s) => *s = strip_bidi(s),
        Value::Array(items) => items.iter_mut().for_each(printable),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key != "url" && key != "diagram" {
                    printable(v);
                }
            }
        }
        _ => {}
    }
}

fn strip_bidi(s: &str) -> String {
    let is_bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    s.chars().filter(|c| !is_bidi(*c)).collect()
}

fn level_ja(level: Level) -> &'static str {
    match level {
        Level::High => "高",
        Level::Medium => "中",
        Level::Low => "低",
    }
}

/// 2.2.3's 情報セキュリティ責任者（CISO）as the plan names that role, or none
/// when the plan has no such role: the PDF never names a role the plan lacks.
fn ciso_role(plan: &Plan) -> Option<&str> {
    plan.roles
        .iter()
        .map(|r| r.role.trim())
        .find(|r| r.to_uppercase().contains("CISO") || r.contains("情報セキュリティ責任者"))
}

/// A value the plan gives, or none for an absent or blank one.
fn filled(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Systems in the order they are brought back (手引き 4-1: 復旧優先度), with
/// the time each is to be back within (目標復旧時間).
fn recovery_order(plan: &Plan) -> Vec<Value> {
    let mut systems: Vec<_> = plan.systems.iter().collect();
    systems.sort_by_key(|s| s.recovery_priority);
    systems
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "priority": s.recovery_priority,
                "importance": level_ja(s.importance),
                "target": filled(&s.recovery_target),
            })
        })
        .collect()
}

/// 3.1 事業者連絡先: one row per vendor with every system it maintains (in
/// the order of `systems`), ordered by its first system; a vendor serving
/// three systems is listed once, not three times.
fn vendor_rows(plan: &Plan) -> Vec<Value> {
    let mut rows: Vec<(usize, Value)> = plan
        .contacts_of(ContactCategory::Vendor)
        .filter_map(|c| {
            let served: Vec<(usize, &str)> = plan
                .systems
                .iter()
                .enumerate()
                .filter(|(_, s)| c.systems.iter().any(|n| n.trim() == s.name.trim()))
                .map(|(i, s)| (i, s.name.as_str()))
                .collect();
            let first = served.first()?.0;
            Some((
                first,
                json!({
                    "systems": served.iter().map(|(_, n)| n).collect::<Vec<_>>(),
                    "vendor": c.name, "person": c.person,
                    "phone": c.phone, "phone_note": c.phone_note,
                     "email": c.email, "hours": c.hours,
                }),
            ))
        })
        .collect();
    rows.sort_by_key(|(first, _)| *first);
    rows.into_iter().map(|(_, row)| row).collect()
}

/// 2.2.4: backup rows grouped by system (the ひな形 merges the system cell).
fn backup_groups(plan: &Plan) -> Vec<Value> {
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for b in &plan.backups {
        let row = json!({
            "frequency": b.frequency, "method": b.method, "restore": b.restore,
            "generations": b.generations,
            // 「オフライン」 only for a copy ransomware cannot reach (one rule with 1-2.4 / 4-3).
            "offline": coverage::survives(b),
        });
        match groups.iter_mut().find(|(s, _)| s.trim() == b.system.trim()) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((b.system.clone(), vec![row])),
        }
    }
    groups
        .into_iter()
        .map(|(system, rows)| json!({"system": system, "rows": rows}))
        .collect()
}

#[cfg(test)]
mod printable_tests {
    use serde_json::json;

    #[test]
    fn values_reach_typst_as_written_but_for_bidi_marks() {
        let path = "examples/network-diagram-2025-honkan.svg";
        let mut v = json!({"network": {"diagram": path, "description": format!("\u{202e}{path}")}});
        super::printable(&mut v);
        assert_eq!(v["network"]["diagram"], path);
        assert_eq!(
            v["network"]["description"], path,
            "long runs wrap in Typst, nothing is inserted; bidi marks go"
        );
    }
}
