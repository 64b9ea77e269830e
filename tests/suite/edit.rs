//! `cyberbcp edit` over HTTP: what a save writes (and what it never writes),
//! and the doors the server keeps shut.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::json;

use crate::common::http::Editor;

/// A clinic starter in a fresh folder, as `init` writes it.
fn starter() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("facility.toml");
    Command::cargo_bin("cyberbcp")
        .unwrap()
        .args(["init", "--kind", "clinic"])
        .arg(&toml)
        .assert()
        .success();
    (dir, toml)
}

fn version(editor: &Editor) -> String {
    let page = editor.get("/");
    assert_eq!(page.status, 200, "{}", page.text());
    let text = page.text();
    let at = text.find("data-version=\"").unwrap() + "data-version=\"".len();
    text[at..at + text[at..].find('"').unwrap()].to_string()
}

fn save(editor: &Editor, version: &str, edits: serde_json::Value) -> crate::common::http::Reply {
    let body = json!({"version": version, "edits": edits}).to_string();
    editor.post("/save", body.as_bytes())
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn a_save_changes_only_the_value_it_names() {
    let (_dir, toml) = starter();
    let before = read(&toml);
    let editor = Editor::start(&toml);
    let v = version(&editor);
    let reply = save(
        &editor,
        &v,
        json!([{"set": {"path": "facility.name", "value": "さくら内科クリニック"}}]),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let after = read(&toml);
    let expected = before.replacen("name = \"○○診療所\"", "name = \"さくら内科クリニック\"", 1);
    assert_ne!(
        expected, before,
        "the starter's facility name changed wording"
    );
    assert_eq!(
        after, expected,
        "only the one value may change, comments and layout kept"
    );
    assert!(after.starts_with("#:schema "), "{after}");
    // The new statuses come back with the save, in check's words.
    let state = reply.json();
    assert!(
        state["verdicts"]
            .as_str()
            .unwrap()
            .contains("data-item=\"1-1.4\"")
    );
    assert!(
        state["form"]
            .as_str()
            .unwrap()
            .contains("value=\"さくら内科クリニック\"")
    );

    // Rows: a contact added and filled, one removed, in the page's order.
    let v = state["version"].as_str().unwrap().to_string();
    let n = after.lines().filter(|l| *l == "[[contacts]]").count();
    let reply = save(
        &editor,
        &v,
        json!([
            {"add": {"path": "contacts"}},
            {"set": {"path": format!("contacts[{n}].name"), "value": "さくら電算"}},
            {"set": {"path": format!("contacts[{n}].category"), "value": "vendor"}},
            {"set": {"path": format!("contacts[{n}].phone"), "value": "03-0000-1111"}},
        ]),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let text = read(&toml);
    assert!(text.starts_with(&after[..after.find("[[contacts]]").unwrap()]));
    assert!(
        text.contains(
            "[[contacts]]\nname = \"さくら電算\"\ncategory = \"vendor\"\nphone = \"03-0000-1111\"\n"
        ),
        "{text}"
    );
}

#[test]
fn a_bad_value_is_refused_with_checks_message_and_nothing_written() {
    let (dir, toml) = starter();
    let before = read(&toml);
    let editor = Editor::start(&toml);
    let v = version(&editor);
    for (path, value) in [
        ("revisions[0].date", "2025-02-30"),
        ("facility.beds", "十九"),
        ("contacts[0].category", "friend"),
    ] {
        let reply = save(
            &editor,
            &v,
            json!([{"set": {"path": path, "value": value}}]),
        );
        assert_eq!(reply.status, 422, "{path}: {}", reply.text());
        assert_eq!(read(&toml), before, "{path}: the file must stay as it was");
        let message = reply.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        // The same words check prints for the same value written by hand.
        let by_hand = dir.path().join("by-hand.toml");
        let mut doc: toml_edit::DocumentMut = before.parse().unwrap();
        let steps: Vec<&str> = path
            .split(['.', '[', ']'])
            .filter(|s| !s.is_empty())
            .collect();
        let item = match steps.as_slice() {
            [table, key] => &mut doc[table][key],
            [table, i, key] => &mut doc[table][i.parse::<usize>().unwrap()][key],
            _ => unreachable!(),
        };
        // Text that is no date (a date field filled elsewhere than the
        // date picker) or no number is written as text: check reads it so.
        *item = toml_edit::value(value);
        std::fs::write(&by_hand, doc.to_string()).unwrap();
        let out = Command::cargo_bin("cyberbcp")
            .unwrap()
            .args(["check", "--color", "never"])
            .arg(&by_hand)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&message),
            "{path}: page says {message:?}, check says:\n{stderr}"
        );
    }
    // An unknown system name in a reference: the validator's words.
    let reply = save(
        &editor,
        &v,
        json!([{"add": {"path": "backups"}},
               {"set": {"path": "backups[0].system", "value": "存在しないシステム"}},
               {"set": {"path": "backups[0].frequency", "value": "毎日"}},
               {"set": {"path": "backups[0].method", "value": "NAS"}},
               {"set": {"path": "backups[0].restore", "value": "手順書"}}]),
    );
    assert_eq!(reply.status, 422, "{}", reply.text());
    let errors = reply.json()["errors"].to_string();
    assert!(
        errors.contains("システム \\\"存在しないシステム\\\" は systems に定義されていません"),
        "{errors}"
    );
    assert_eq!(read(&toml), before);
}

#[test]
fn an_outside_edit_is_never_overwritten() {
    let (_dir, toml) = starter();
    let editor = Editor::start(&toml);
    let v = version(&editor);
    let outside = read(&toml).replacen("○○診療所", "外で直した名前", 1);
    std::fs::write(&toml, &outside).unwrap();
    let reply = save(
        &editor,
        &v,
        json!([{"set": {"path": "facility.founder", "value": "x"}}]),
    );
    assert_eq!(reply.status, 409, "{}", reply.text());
    assert_eq!(read(&toml), outside);
    let state = reply.json();
    assert!(state["form"].as_str().unwrap().contains("外で直した名前"));
    assert_ne!(state["version"].as_str().unwrap(), v);
    // The page polls /state and sees the new version too.
    assert_eq!(editor.get("/state").json()["version"], state["version"]);
}

#[test]
fn token_host_and_origin_are_required() {
    let (_dir, toml) = starter();
    let before = read(&toml);
    let editor = Editor::start(&toml);
    let v = version(&editor);
    let host = editor.host();
    let origin = editor.origin();
    let tok = format!("/?token={}", editor.token);
    // No token, a wrong one, a rebinding name.
    assert_eq!(editor.raw("GET", "/", &host, None, b"").status, 403);
    assert_eq!(
        editor.raw("GET", "/?token=0000", &host, None, b"").status,
        403
    );
    assert_eq!(editor.raw("GET", "/state", &host, None, b"").status, 403);
    let rebind = format!("attacker.example:{}", editor.port);
    let refused = editor.raw("GET", &tok, &rebind, None, b"");
    assert_eq!(refused.status, 403);
    assert!(!refused.text().contains(&editor.token));
    // A change from another site, or with no Origin at all.
    let body = json!({"version": v, "edits": [{"set": {"path": "facility.name", "value": "x"}}]})
        .to_string();
    let target = format!("/save?token={}", editor.token);
    for o in [Some("http://attacker.example"), Some("null"), None] {
        let reply = editor.raw("POST", &target, &host, o, body.as_bytes());
        assert_eq!(reply.status, 403, "{o:?}");
    }
    assert_eq!(read(&toml), before);
    // The first page sets the cookie, which later requests may use instead.
    let page = editor.raw("GET", &tok, &host, None, b"");
    assert!(
        page.headers.contains(&format!(
            "cyberbcp_{}={}; HttpOnly; SameSite=Strict",
            editor.port, editor.token
        )),
        "{}",
        page.headers
    );
    assert!(page.headers.contains("Content-Security-Policy"));
    let reply = editor.raw("POST", &target, &host, Some(&origin), body.as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[test]
fn nothing_outside_the_plans_folder() {
    let (dir, toml) = starter();
    let editor = Editor::start(&toml);
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/facility.toml",
        "/facility.toml",
        "/cyberbcp.schema.json",
    ] {
        assert_eq!(editor.get(path).status, 404, "{path}");
    }
    let outside = dir
        .path()
        .parent()
        .unwrap()
        .join("cyberbcp-edit-escape.csv");
    for name in [
        "../cyberbcp-edit-escape.csv",
        "..%2Fcyberbcp-edit-escape.csv",
        "%2Ftmp%2Fx.csv",
        ".hidden.csv",
        "facility.toml",
        "x.sh",
    ] {
        let reply = editor.post(&format!("/upload?name={name}"), b"id,hostname\n");
        assert_eq!(reply.status, 400, "{name}: {}", reply.text());
    }
    assert!(!outside.exists());
    // A plain ledger name lands in the plan's folder.
    let reply = editor.post("/upload?name=%E5%8F%B0%E5%B8%B3.csv", b"id,hostname\n");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(dir.path().join("台帳.csv").is_file());
}

#[test]
fn user_text_is_text_in_the_page() {
    let (_dir, toml) = starter();
    let text = read(&toml).replacen(
        "○○診療所",
        "<script>alert(1)</script>\\\"><img src=x onerror=alert(2)>",
        1,
    );
    std::fs::write(&toml, text).unwrap();
    let editor = Editor::start(&toml);
    let page = editor.get("/").text();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped"
    );
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<img src=x"));
}

#[test]
fn no_arguments_edits_facility_toml_here() {
    use std::io::BufRead as _;
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    // Started as if double-clicked: no arguments; no browser to open here
    // (an empty PATH), so it says to paste the URL.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cyberbcp"))
        .current_dir(dir.path())
        .env("PATH", empty.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.contains("facility.toml をブラウザで編集します: http://127.0.0.1:"),
        "{first}"
    );
    assert!(first.contains("token="), "{first}");
}
