//! The editor in a real browser: headless Chromium driven through WebDriver
//! (chromedriver), as a user would use it. Skipped, saying so, where Debian's
//! `chromium` and `chromium-driver` are not installed (`.ci/run` installs them).
//!
//! `CYBERBCP_SCREENSHOT=docs/edit.png cargo test --test suite browser` also
//! writes the README's screenshot.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::http::{Editor, request};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = request(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            &self.host(),
            None,
            b"",
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    fn start() -> Option<Self> {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
        let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into());
        if !Path::new(&chromium).exists() || !Path::new(&driver).exists() {
            eprintln!(
                "browser test skipped: {chromium} or {driver} is not installed (apt-get install chromium chromium-driver)"
            );
            return None;
        }
        let port = free_port();
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let mut driver = Self {
            child,
            port,
            session: String::new(),
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1400,1000".into(),
            "--lang=ja".into(),
            format!("--user-data-dir={}", driver._profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        let reply = driver.call("POST", "/session", Some(caps));
        driver.session = reply["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_string();
        Some(driver)
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let reply = request(self.port, method, path, &self.host(), None, body.as_bytes());
        let value: Value =
            serde_json::from_slice(&reply.body).unwrap_or_else(|_| panic!("{}", reply.text()));
        assert!(reply.status < 300, "{method} {path}: {value}");
        value["value"].clone()
    }

    fn session(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn go(&self, url: &str) {
        self.session("POST", "/url", Some(json!({"url": url})));
    }

    fn find(&self, css: &str) -> String {
        let found = self.session(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        found[ELEMENT].as_str().unwrap().to_string()
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        // In the middle of the window, clear of the sticky header.
        self.session(
            "POST",
            "/execute/sync",
            Some(json!({"script": "arguments[0].scrollIntoView({block: 'center'})", "args": [{ELEMENT: e}]})),
        );
        self.session("POST", &format!("/element/{e}/click"), Some(json!({})));
    }

    /// Choose a value in a select (or one more in a multiple one).
    fn choose(&self, name: &str, value: &str) {
        self.click(&format!("[name=\"{name}\"] option[value=\"{value}\"]"));
    }

    /// A date as the date picker sets it (typed digits depend on the locale's order).
    fn date(&self, name: &str, value: &str) {
        self.script(&format!(
            "var e = document.getElementsByName('{name}')[0]; e.value = '{value}'; e.dispatchEvent(new Event('change', {{bubbles: true}}))"
        ));
    }

    /// A new row of a table; its index.
    fn add_row(&self, rows: &str) -> u64 {
        let n = self
            .script(&format!(
                "return document.querySelectorAll('fieldset[data-rows=\"{rows}\"] > .scroll > table > tbody > tr').length"
            ))
            .as_u64()
            .unwrap();
        self.click(&format!("button[data-add=\"{rows}\"]"));
        n
    }

    /// Choose a file in the field's 「ファイルを選択」, as the file dialog does.
    fn upload(&self, field: &str, file: &Path) {
        let e = self.find(&format!("input.upload[data-for=\"{field}\"]"));
        self.session(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": file.display().to_string()})),
        );
        self.wait(
            "the upload",
            "return document.getElementById('status').textContent.indexOf('フォルダに入れました') >= 0",
        );
    }

    /// Press 保存 and wait for its answer.
    fn save(&self) {
        self.script("document.getElementById('status').textContent = ''");
        self.click("#save");
        self.wait(
            "the save",
            "var t = document.getElementById('status').textContent; return t.indexOf('保存しました') >= 0 || t.indexOf('未保存') >= 0 || t.indexOf('できません') >= 0",
        );
    }

    /// Type into a control and leave it (Tab), as a user does: the page sees `change`.
    fn fill(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.session("POST", &format!("/element/{e}/clear"), Some(json!({})));
        self.session(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({"text": format!("{text}\u{E004}")})),
        );
    }

    fn script(&self, script: &str) -> Value {
        self.session(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Wait until a script returns something truthy.
    fn wait(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let v = self.script(script);
            if !(v.is_null() || v == json!(false) || v == json!("")) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self) -> Vec<u8> {
        base64(self.session("GET", "/screenshot", None).as_str().unwrap())
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            _ => 63,
        }
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, c)| acc | value(*c) << (18 - 6 * i));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    out
}

fn status(driver: &Driver, item: &str) -> String {
    driver
        .script(&format!(
            "return document.querySelector('[data-item=\"{item}\"]').dataset.status"
        ))
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_new_user_fills_saves_and_prints_in_the_browser() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("facility.toml");
    let editor = Editor::start(&toml);
    driver.go(&editor.url());

    // No plan yet: the page offers init's starters.
    driver.click("button[data-kind=clinic]");
    driver.wait(
        "the form",
        "return document.querySelector('[name=\"facility.name\"]')",
    );
    assert!(toml.is_file());
    assert_eq!(status(&driver, "2-1"), "missing");
    // The token left the address bar.
    let url = driver.script("return location.href");
    assert!(!url.as_str().unwrap().contains("token"), "{url}");

    // The facility's name, and a department contact in a new row.
    driver.fill("[name=\"facility.name\"]", "さくら内科クリニック");
    let rows = driver
        .script(
            "return document.querySelectorAll('fieldset[data-rows=\"contacts\"] tbody tr').length",
        )
        .as_u64()
        .unwrap();
    driver.click("button[data-add=\"contacts\"]");
    driver.fill(&format!("[name=\"contacts[{rows}].name\"]"), "医事課");
    driver.click(&format!(
        "[name=\"contacts[{rows}].category\"] option[value=internal]"
    ));
    driver.fill(&format!("[name=\"contacts[{rows}].phone\"]"), "内線 100");
    driver.click("#save");
    driver.wait(
        "the save",
        "return document.getElementById('status').textContent.indexOf('保存しました') >= 0",
    );

    // 2-1 (報告先の把握) is no longer 未記載: the department contact answers
    // it; only the ひな形's wording for where the chart is posted remains.
    let text = std::fs::read_to_string(&toml).unwrap();
    let item = driver.script("return document.querySelector('[data-item=\"2-1\"]').outerHTML");
    assert_eq!(status(&driver, "2-1"), "default", "{item}\n{text}");
    assert!(text.contains("name = \"さくら内科クリニック\""), "{text}");
    assert!(
        text.contains("name = \"医事課\"\ncategory = \"internal\"\nphone = \"内線 100\""),
        "{text}"
    );
    assert!(text.starts_with("#:schema "));

    // A refused value: check's message beside the field, the file unchanged.
    driver.fill("[name=\"facility.beds\"]", "十九");
    driver.click("#save");
    driver.wait(
        "the refusal",
        "return document.querySelector('.note.refused')",
    );
    assert_eq!(std::fs::read_to_string(&toml).unwrap(), text);
    driver.fill("[name=\"facility.beds\"]", "");
    driver.click("#save");
    driver.wait("the save", "return !document.querySelector('.note.refused') && document.getElementById('status').textContent.indexOf('保存しました') >= 0");

    // The printed plan, written beside the TOML as build would.
    driver.click("#build");
    let built = driver.wait(
        "the PDF",
        "var li = document.querySelector('#built li'); return li && li.textContent",
    );
    let pdf = dir.path().join("facility.pdf");
    assert!(built.as_str().unwrap().contains("facility.pdf"), "{built}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let png = driver.screenshot();
    assert!(png.starts_with(b"\x89PNG"), "a screenshot");
}

/// A 事務長 who has never seen TOML: from an empty folder, a starter chosen
/// in the page, the form filled (tables, choices, uploads), to a printed plan
/// with most 確認表 items ✓, without opening the file. Then someone edits the
/// file elsewhere while the page has unsaved typing: nothing is lost.
#[test]
fn a_new_user_walks_from_an_empty_folder_to_a_printed_plan() {
    let Some(d) = Driver::start() else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("facility.toml");
    let editor = Editor::start(&toml);
    d.go(&editor.url());
    d.click("button[data-kind=clinic]");
    d.wait(
        "the form",
        "return document.querySelector('[name=\"facility.name\"]')",
    );

    let fill = |name: &str, text: &str| d.fill(&format!("[name=\"{name}\"]"), text);
    for (name, text) in [
        ("facility.name", "みどり内科クリニック"),
        ("facility.manager", "院長　緑川 花子"),
        ("facility.founder", "医療法人社団みどり会"),
        ("facility.address", "さくら県みなと市港町4-5-6"),
        ("facility.phone", "045-000-5000"),
        ("facility.document_owner", "事務室"),
        ("scope.extra_systems", "院内ネットワーク"),
        ("scope.extra_events", "停電による長時間のシステム停止"),
        ("scope.extra_attacks", "取引先を経由した不正侵入"),
        ("roles[0].assignee", "院長　緑川 花子"),
        ("roles[0].phone", "090-0000-1111"),
        ("roles[1].assignee", "事務長　森 太一"),
        ("roles[1].phone", "090-0000-2222"),
        ("roles[1].hours", "診療日 8時30分〜18時"),
        ("roles[1].night", "院長の携帯 090-0000-1111"),
    ] {
        fill(name, text);
    }
    let i = d.add_row("systems");
    for (key, text) in [
        ("name", "電子カルテ"),
        ("category", "電子カルテ（クラウド型）"),
        ("vendor", "クラウドカルテ株式会社"),
        ("purpose", "診療録の記載・参照"),
        ("recovery_priority", "1"),
        ("recovery_target", "48時間"),
        ("mds_sds", "MDS/SDS 受領済み"),
    ] {
        fill(&format!("systems[{i}].{key}"), text);
    }
    d.choose(&format!("systems[{i}].importance"), "high");
    // Saved once, so the system's name is offered where it is referenced.
    d.save();

    // The ledger and the diagram, chosen from elsewhere on the PC.
    let elsewhere = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("examples/devices.csv", "devices.csv"),
        ("examples/clinic/network.svg", "network.svg"),
    ] {
        std::fs::copy(root.join(from), elsewhere.path().join(to)).unwrap();
    }
    d.upload("device_ledger.file", &elsewhere.path().join("devices.csv"));
    d.upload("network.diagram", &elsewhere.path().join("network.svg"));
    fill(
        "network.description",
        "院内 LAN にルータ 1 台・端末 2 台。電子カルテはクラウド型",
    );
    let i = d.add_row("alternatives");
    fill(&format!("alternatives[{i}].business"), "診療録等");
    d.choose(&format!("alternatives[{i}].systems"), "電子カルテ");
    fill(
        &format!("alternatives[{i}].alternative"),
        "紙カルテ（受付に 3 日分の用紙を常備）",
    );
    for (name, text) in [
        (
            "vulnerability.responsibility",
            "端末とルータは当院、電子カルテは事業者が管理する。",
        ),
        ("vulnerability.sources", "事業者からのお知らせメール"),
        (
            "vulnerability.policy",
            "OS の修正プログラムは公開から 2 週間以内に事務長が適用する。",
        ),
        (
            "vulnerability.fallback",
            "更新できない端末はネットワークから外す。",
        ),
        ("contacts[1].name", "さくら県警察 みなと警察署"),
        ("contacts[1].phone", "045-000-0110"),
    ] {
        fill(name, text);
    }
    let i = d.add_row("contacts");
    fill(&format!("contacts[{i}].name"), "クラウドカルテ株式会社");
    d.choose(&format!("contacts[{i}].category"), "vendor");
    fill(&format!("contacts[{i}].phone"), "0120-000-789");
    d.choose(&format!("contacts[{i}].systems"), "電子カルテ");
    let i = d.add_row("contacts");
    fill(&format!("contacts[{i}].name"), "受付");
    d.choose(&format!("contacts[{i}].category"), "internal");
    fill(&format!("contacts[{i}].phone"), "045-000-5000");
    fill("training.times_per_year", "1");
    fill(
        "training.plans",
        "年 1 回、紙カルテへの切替手順を全員で確認する",
    );
    let i = d.add_row("training.drills");
    d.date(&format!("training.drills[{i}].date"), "2026-02-10");
    fill(&format!("training.drills[{i}].title"), "紙カルテ切替訓練");
    let i = d.add_row("backups");
    d.choose(&format!("backups[{i}].system"), "電子カルテ");
    fill(&format!("backups[{i}].frequency"), "毎週金曜");
    fill(
        &format!("backups[{i}].method"),
        "外付け HDD に保存して金庫に保管",
    );
    fill(&format!("backups[{i}].generations"), "4");
    d.click(&format!("[name=\"backups[{i}].offline\"]"));
    fill(
        &format!("backups[{i}].restore"),
        "事務長が HDD の出力を参照用端末で閲覧する",
    );
    // Lists: one item a line, as the field says.
    for (name, text) in [
        ("incident.report_form", "異常連絡メモ"),
        (
            "incident.chart_posted",
            "受付・診察室・事務室の電話機の横（ポスター版）",
        ),
        (
            "incident.investigation",
            "ルータ・ハブ・ケーブルの確認\n前日までの保守作業の履歴の確認（クラウドカルテ株式会社に依頼）",
        ),
        (
            "incident.containment",
            "ルータの WAN 側ケーブルを抜く\n異常のある端末の LAN ケーブルを抜く（電源は切らない）",
        ),
        (
            "incident.continuity_manual",
            "システム停止時の手順（事務室掲示）",
        ),
        (
            "incident.forensics",
            "クラウドカルテ株式会社 セキュリティ窓口",
        ),
        ("incident.forensics_phone", "045-000-7789"),
        (
            "incident.recovery_checks",
            "事務長が、復元したデータの最終日付と件数を停止前の控えと照合する\n院長が結果を確かめ、通常の診療への復帰を宣言する",
        ),
        (
            "followup.reports",
            "院長へ: 復旧から 1 週間以内に、事務長が書面で報告する",
        ),
        (
            "followup.recurrence",
            "事務長が事業者と原因を調べて再発防止策の案を作り、院長が決める。実施は事務長が行う。",
        ),
        (
            "followup.notice",
            "決めた再発防止策は朝礼で説明し、事務室に掲示する。",
        ),
        (
            "followup.vendor_requests",
            "クラウドカルテ株式会社: 不正ログインの監視とログの提供",
        ),
        ("disclosure.owner", "事務室（事務長）"),
    ] {
        fill(name, text);
    }
    d.save();
    let errors = d.script("return Array.from(document.querySelectorAll('.note.error, .note.refused')).map(e => e.textContent).join('\\n')");
    assert_eq!(errors, json!(""), "no errors after the walk");
    let covered = d
        .script("return document.querySelectorAll('[data-item][data-status=covered]').length")
        .as_u64()
        .unwrap();
    let summary = d.script("return document.getElementById('summary').textContent");
    assert!(covered >= 24, "most items ✓ from the form alone: {summary}");
    assert_eq!(
        d.script("return document.querySelectorAll('[data-item][data-status=missing]').length"),
        json!(0),
        "{summary}"
    );
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.starts_with("#:schema "), "the starter's comments stay");
    assert!(text.contains("file = \"devices.csv\""), "{text}");
    assert!(dir.path().join("network.svg").is_file());

    // The README's screenshot: the filled form beside its 確認表.
    if let Ok(path) = std::env::var("CYBERBCP_SCREENSHOT") {
        d.script("window.scrollTo(0, 0)");
        std::fs::write(PathBuf::from(&path), d.screenshot()).unwrap();
    }

    // A hint's key is a link to its field.
    let hint =
        d.script("var a = document.querySelector('ul.hints a.key'); return a && a.dataset.goto");
    if let Some(path) = hint.as_str() {
        d.click("ul.hints a.key");
        let focused = d.script("return document.activeElement && (document.activeElement.name || document.activeElement.closest('[data-key]').dataset.key)");
        let head = path.split(['.', '[']).next().unwrap();
        assert!(
            focused.as_str().is_some_and(|f| f.starts_with(head)),
            "{path} → {focused}"
        );
    }

    // Someone changes the file elsewhere while the page has unsaved typing.
    let outside = text.replacen(
        "さくら県みなと市港町4-5-6",
        "さくら県みなと市港町4-5-7（外で直した）",
        1,
    );
    std::fs::write(&toml, &outside).unwrap();
    fill("facility.phone", "045-000-5001");
    d.save();
    d.wait(
        "the reload",
        "return document.getElementById('banner').textContent.indexOf('読み込み直しました') >= 0",
    );
    assert_eq!(
        std::fs::read_to_string(&toml).unwrap(),
        outside,
        "nothing written yet"
    );
    assert_eq!(
        d.script("return document.querySelector('[name=\"facility.phone\"]').value"),
        json!("045-000-5001"),
        "the typing is kept"
    );
    assert_eq!(
        d.script("return !!document.querySelector('[data-key=\"facility.phone\"].unsaved')"),
        json!(true),
        "and marked unsaved"
    );
    assert_eq!(
        d.script("return document.querySelector('[name=\"facility.address\"]').value"),
        json!("さくら県みなと市港町4-5-7（外で直した）")
    );
    d.save();
    d.wait(
        "the save",
        "return document.getElementById('status').textContent.indexOf('保存しました') >= 0",
    );
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(
        text.contains("045-000-5001") && text.contains("外で直した"),
        "{text}"
    );

    // The printed plan.
    d.click("#build");
    let built = d.wait(
        "the PDF",
        "var li = document.querySelector('#built li'); return li && li.textContent",
    );
    assert!(built.as_str().unwrap().contains("facility.pdf"), "{built}");
    assert!(
        std::fs::read(dir.path().join("facility.pdf"))
            .unwrap()
            .starts_with(b"%PDF")
    );
}
