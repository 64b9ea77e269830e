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
        self.session("POST", &format!("/element/{e}/click"), Some(json!({})));
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

    if let Ok(path) = std::env::var("CYBERBCP_SCREENSHOT") {
        driver.script("window.scrollTo(0, 0)");
        std::fs::write(PathBuf::from(&path), driver.screenshot()).unwrap();
    }

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
