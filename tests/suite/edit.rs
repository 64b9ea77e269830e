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
        let stderr = check_refuses(&by_hand);
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
fn an_outside_edit_is_never_overwritten_and_the_pages_edits_are_kept() {
    let (_dir, toml) = starter();
    let editor = Editor::start(&toml);
    let v = version(&editor);
    let outside = read(&toml).replacen("○○診療所", "外で直した名前", 1);
    std::fs::write(&toml, &outside).unwrap();
    // The page changed the same name, and the founder, before it knew.
    let reply = save(
        &editor,
        &v,
        json!([{"set": {"path": "facility.name", "value": "画面で入れた名前"}},
               {"set": {"path": "facility.founder", "value": "医療法人さくら会"}}]),
    );
    assert_eq!(reply.status, 409, "{}", reply.text());
    assert_eq!(read(&toml), outside, "nothing written");
    let state = reply.json();
    assert_ne!(state["version"].as_str().unwrap(), v);
    // The page polls /state and sees the new version too.
    assert_eq!(editor.get("/state").json()["version"], state["version"]);
    // The founder is laid onto the new file, shown as unsaved; the name both
    // sides changed is not, and both values are shown.
    assert_eq!(
        state["edits"],
        json!([{"set": {"path": "facility.founder", "value": "医療法人さくら会"}}])
    );
    assert_eq!(
        state["conflicts"],
        json!([{"path": "facility.name", "theirs": "外で直した名前", "mine": "画面で入れた名前"}])
    );
    let form = state["form"].as_str().unwrap();
    assert!(
        form.contains("value=\"外で直した名前\""),
        "theirs stays in the field"
    );
    assert!(
        form.contains("value=\"医療法人さくら会\""),
        "the page's edit is kept"
    );
    assert!(form.contains("未保存"), "marked unsaved");
    assert!(form.contains("この画面の入力「画面で入れた名前」は入れていません"));
    // Saved again as the page does: both changes are in the file.
    let reply = save(
        &editor,
        state["version"].as_str().unwrap(),
        state["edits"].clone(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let text = read(&toml);
    assert!(text.contains("外で直した名前"), "{text}");
    assert!(text.contains("医療法人さくら会"), "{text}");

    // Rows the other side changed: the page's row edits wait, listed.
    let v = reply.json()["version"].as_str().unwrap().to_string();
    let first = text.find("[[contacts]]").unwrap();
    let outside = format!(
        "{}[[contacts]]\nname = \"外で足した連絡先\"\ncategory = \"vendor\"\nphone = \"03-1111-2222\"\n\n{}",
        &text[..first],
        &text[first..]
    );
    std::fs::write(&toml, &outside).unwrap();
    let reply = save(
        &editor,
        &v,
        json!([{"set": {"path": "contacts[0].phone", "value": "03-9999-0000"}}]),
    );
    assert_eq!(reply.status, 409, "{}", reply.text());
    assert_eq!(read(&toml), outside);
    let state = reply.json();
    assert_eq!(state["edits"], json!([]));
    assert_eq!(state["conflicts"][0]["path"], "contacts");
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

/// What `check` says about a ledger or diagram the plan names, placed by hand.
fn check_says(dir: &Path, toml: &Path, table: &str, key: &str, name: &str, bytes: &[u8]) -> String {
    let file = dir.join(name);
    std::fs::write(&file, bytes).unwrap();
    let by_hand = dir.join("by-hand.toml");
    std::fs::write(
        &by_hand,
        format!("{}\n[{table}]\n{key} = \"{name}\"\n", read(toml)),
    )
    .unwrap();
    let stderr = check_refuses(&by_hand);
    std::fs::remove_file(&file).unwrap();
    std::fs::remove_file(&by_hand).unwrap();
    stderr
}

/// `check`'s error output for a plan it must refuse (exit code 2).
fn check_refuses(plan: &Path) -> String {
    let out = Command::cargo_bin("cyberbcp")
        .unwrap()
        .args(["check", "--color", "never"])
        .arg(plan)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    stderr
}

#[test]
fn uploads_pass_builds_checks_before_they_land() {
    let (dir, toml) = starter();
    let editor = Editor::start(&toml);
    let mut too_big = b"id,hostname\n".to_vec();
    too_big.resize(20 * 1024 * 1024 + 1, b'x');
    let cases: [(&str, &str, &str, Vec<u8>); 5] = [
        (
            "device_ledger",
            "file",
            "columns.csv",
            b"foo,bar\n1,2\n".to_vec(),
        ),
        (
            "device_ledger",
            "file",
            "encoding.csv",
            b"id,hostname\n\xff\xfe\x00\x81\n".to_vec(),
        ),
        ("device_ledger", "file", "big.csv", too_big),
        (
            "device_ledger",
            "file",
            "ledger.xlsx",
            b"PK\x03\x04 not a workbook".to_vec(),
        ),
        (
            "network",
            "diagram",
            "diagram.png",
            b"not a picture".to_vec(),
        ),
    ];
    for (table, key, name, bytes) in cases {
        let reply = editor.post(&format!("/upload?name={name}"), &bytes);
        assert_eq!(reply.status, 422, "{name}: {}", reply.text());
        assert!(!dir.path().join(name).exists(), "{name} left in the folder");
        let said = reply.text();
        let message = said
            .strip_prefix(&format!("{name} を入れていません: "))
            .unwrap_or_else(|| panic!("{said}"));
        let message = &message[..message.find('（').unwrap_or(message.len())];
        if name == "big.csv" {
            // check reads no more than the cap either, and says the same.
            assert!(message.ends_with("ファイルが大きすぎます"), "{message}");
        }
        let check = check_says(dir.path(), &toml, table, key, name, &bytes);
        assert!(
            check.contains(message),
            "{name}: page says {message:?}, check says:\n{check}"
        );
    }
    // build does not draw WebP: not offered, not taken.
    assert_eq!(editor.post("/upload?name=d.webp", b"RIFF").status, 400);

    // A good ledger lands; another file of the same name is never replaced.
    let ledger = "id,hostname,os\nPC-01,uketsuke,Windows 11\n";
    let reply = editor.post("/upload?name=devices.csv", ledger.as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["name"], "devices.csv");
    let other = "id,hostname,os\nPC-02,shinsatsu,Windows 11\n";
    let reply = editor.post("/upload?name=devices.csv", other.as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["name"], "devices-2.csv");
    assert_eq!(read(&dir.path().join("devices.csv")), ledger);
    assert_eq!(read(&dir.path().join("devices-2.csv")), other);
    // The same file again is simply used.
    let reply = editor.post("/upload?name=devices.csv", ledger.as_bytes());
    assert_eq!(reply.json()["name"], "devices.csv");
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
    let reply = editor.post("/upload?name=network.svg", svg.as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.text());
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

/// The server, started with the idle times shortened for the test.
fn idle_editor(dir: &Path) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cyberbcp"))
        .args(["edit", "--no-open", "--color", "never"])
        .current_dir(dir)
        .env("CYBERBCP_EDIT_IDLE", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

fn ends_within(child: &mut std::process::Child, secs: u64) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// It ends on its own within the test's patience, successfully, having said each of `words`.
fn stops_saying(
    child: &mut std::process::Child,
    lines: &std::sync::mpsc::Receiver<String>,
    words: &[&str],
) {
    let status = ends_within(child, 30).expect("stops on its own");
    assert!(status.success());
    let said: Vec<String> = lines.iter().collect();
    for w in words {
        assert!(said.iter().any(|l| l.contains(w)), "{w}: {said:?}");
    }
}

#[test]
fn it_stops_when_no_page_ever_came_and_when_the_last_page_left() {
    // Double-clicked, but no browser ever connected. How it stops is said at start.
    let dir = tempfile::tempdir().unwrap();
    let (mut child, lines) = idle_editor(dir.path());
    stops_saying(
        &mut child,
        &lines,
        &[
            "ページを一度も開かないまま 15 分",
            "ページが開かれないまま時間がたったため終了しました",
        ],
    );

    // A page came, then said goodbye (closed): it stops after the wait.
    let (mut child, lines) = idle_editor(dir.path());
    let first = lines.recv().unwrap();
    let url = &first[first.find("http://").unwrap()..];
    let port: u16 = url["http://127.0.0.1:".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let token = url.split("token=").nth(1).unwrap().trim();
    let host = format!("127.0.0.1:{port}");
    let origin = format!("http://{host}");
    let page =
        crate::common::http::request(port, "GET", &format!("/?token={token}"), &host, None, b"");
    assert_eq!(page.status, 200);
    let bye = crate::common::http::request(
        port,
        "POST",
        &format!("/bye?token={token}"),
        &host,
        Some(&origin),
        b"",
    );
    assert_eq!(bye.status, 200);
    stops_saying(&mut child, &lines, &["ページが閉じられたため終了しました"]);
}
